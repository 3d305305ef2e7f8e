// Initialise GOV.UK Frontend from a static file: the Content-Security-Policy allows no inline script.
import { initAll } from "../vendor/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
