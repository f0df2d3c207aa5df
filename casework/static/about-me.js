// The "Print this page" button: shown only where JavaScript can print; the browser's own
// print works without it.
const button = document.querySelector('[data-print]')
if (button) {
  button.hidden = false
  button.addEventListener('click', () => window.print())
}
