/**
 * The console's security headers, defined once: the local server sends them
 * on every console response and the CDK construct turns them into the
 * CloudFront response headers policy, so the browser tests exercise the
 * policy that is deployed.
 */

/** Origins the console may talk to besides its own. */
export interface ConsoleOrigins {
  /** The OpenID Connect issuer (discovery, token and JWKS endpoints); absent locally. */
  readonly identityProvider?: string;
}

/**
 * The Content-Security-Policy. Scripts and styles come only from the
 * console's own origin: no inline script or style, no eval (Vue's templates
 * are compiled at build time; ECharts draws on canvas).
 */
export function contentSecurityPolicy(origins: ConsoleOrigins = {}): string {
  const idp = origins.identityProvider === undefined ? '' : ` ${origins.identityProvider}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${idp}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    `form-action 'self'${idp}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Headers CloudFront also sends through its security-headers behaviour (named there, not as strings). */
export const staticSecurityHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/** Every security header of a console response. */
export function consoleSecurityHeaders(origins: ConsoleOrigins = {}): Record<string, string> {
  return { 'content-security-policy': contentSecurityPolicy(origins), ...staticSecurityHeaders };
}
