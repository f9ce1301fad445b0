import type { RequestHandler, Response, Router } from 'express';
import type { Role } from '../../api-keys/roles.js';
import type { Speaker } from '../i18n.js';

/**
 * What a screen module gets from the web application: the router to add its routes to, the page
 * renderer (layout, navigation, language), its own view registered by name, and the guards every
 * page uses. A screen lives in its own module beside its view (web/views/<name>.hbs), registered
 * in webApp() like the API features are in the container.
 */
export interface ScreenKit {
  router: Router;
  /** Compiles web/views/<name>.hbs for this screen. */
  registerView(name: string): void;
  render(res: Response, view: string, data: Record<string, unknown>, status?: number): void;
  speaker(res: Response): Speaker;
  guards: {
    /** The session of the cookie, if any. */
    loadSession: RequestHandler;
    /** Signed in, or sent to the sign-in page. */
    signedIn: RequestHandler;
    /** A form's CSRF token must be the session's (forms parsed as urlencoded). */
    csrf: RequestHandler;
    /** The page or form for these roles only (403 page otherwise). */
    allow(roles: readonly Role[]): RequestHandler;
    /** Checks a token read from a multipart form (uploads): false answers the 403 page. */
    csrfToken(res: Response, sent: unknown): boolean;
  };
}
