// Next.js configuration. Native and filesystem-heavy server packages stay external
// (loaded by Node at runtime) instead of being bundled.
/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  {
    key: "Content-Security-Policy",
    // Monaco needs blob: workers and inline styles; no third-party origins are used.
    value:
      "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'",
  },
];

const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Type checking runs as its own step (npm run typecheck) over the whole repository.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["@node-rs/argon2", "isomorphic-git", "pg", "@prisma/adapter-pg", "prom-client"],
  // Prometheus scrapes /metrics by default; the handler lives under the API tree.
  async rewrites() {
    return [{ source: "/metrics", destination: "/api/metrics" }];
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
