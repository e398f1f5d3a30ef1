export { buildApp, DEFAULT_CONSOLE_DIR, type BuildAppOptions, type RouteRecord } from './app.js';
export { SESSION_COOKIE } from './plugins/auth.js';
