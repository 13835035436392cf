// A plain form post: signing out works even before the page's JavaScript has loaded.
export function SignOutButton() {
  return (
    <form method="post" action="/api/auth/logout">
      <button type="submit" className="text-slate-600 hover:text-slate-900">
        Sign out
      </button>
    </form>
  );
}
