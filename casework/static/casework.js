// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '/assets/nhsuk/nhsuk-frontend.min.js'

initAll()
