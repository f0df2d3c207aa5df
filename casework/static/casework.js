// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '/assets/nhsuk/nhsuk-frontend.min.js'

initAll()

// A form without an action posts to the page's own address, fragment and all (#maincontent
// after the skip link, #field after an error summary link), and the browser carries the
// fragment through the redirect to the next page, where jumping to it takes focus from the
// error summary. Post to the address without it.
document.addEventListener('submit', (event) => {
  const form = event.target
  if (!form.hasAttribute('action') && window.location.hash) {
    form.action = window.location.href.split('#')[0]
  }
}, true)
