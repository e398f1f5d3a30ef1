export { runCli, EXIT } from './cli.js';
