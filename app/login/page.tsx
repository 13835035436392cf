import { LoginForm } from "@/components/auth/login-form";
import { oidcEnabled } from "@/lib/auth/oidc/oidc";

export const dynamic = "force-dynamic";

export default function LoginPage() {
  let sso = false;
  try {
    sso = oidcEnabled();
  } catch {
    // configuration errors surface on the API; the form still works
  }
  return <LoginForm sso={sso} />;
}
