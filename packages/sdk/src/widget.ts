/** Entry of the browser bundle `dist/custos-consent.js`: registers `<custos-consent>`. */
import { defineCustosConsent } from './consent-element.js';

defineCustosConsent();
