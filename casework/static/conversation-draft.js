// The conversation form on a doorstep with a weak signal: progressive enhancement only, the form
// posts as usual without JavaScript.
//
// - What is typed is kept, as it is typed, in this tab's sessionStorage (never
//   localStorage: docs/adr/0019-conversation-drafts-in-session-storage.md), under a key that names
//   the case and the worker, for at most 12 hours.
// - The form is sent with fetch, so a dropped signal does not swap the page for the
//   browser's "no internet" page: the form stays, with everything typed in it, and a
//   warning says the conversation has NOT been saved and to try again when there is signal.
// - Reloading the form puts the draft back, and says so. The draft is forgotten once the
//   server has saved the conversation (the answer is the case page).
// - The draft keeps the form's one-time token (casework/once.py) and puts it back too: when
//   the conversation was saved but the answer was lost, sending the draft again is the same
//   send, which the server recognises ("This was already saved"), not a second conversation.
import { initAll } from '/assets/nhsuk/nhsuk-frontend.min.js'

const PREFIX = 'casework-draft:'
const ONCE = 'once' // the hidden one-time token's name
const KEEP_FOR_MS = 12 * 60 * 60 * 1000

function storage () {
  try {
    return window.sessionStorage
  } catch (error) { // storage switched off: the form still works, without drafts
    return null
  }
}

function fields (form) {
  return [...form.elements].filter((el) => el.name && !['hidden', 'submit', 'button'].includes(el.type))
}

function read (key) {
  const store = storage()
  try {
    const draft = JSON.parse(store && store.getItem(key))
    if (draft && Date.now() - draft.at < KEEP_FOR_MS) return { ...draft.values, [ONCE]: draft.once }
  } catch (error) { /* an unreadable draft is no draft */ }
  forget(key)
  return null
}

function write (key, form) {
  const values = {}
  for (const el of fields(form)) {
    if (el.type === 'checkbox') { // many boxes may share a name: who from the circle was there
      if (el.checked) (values[el.name] ??= []).push(el.value)
    } else if (el.type === 'radio') {
      if (el.checked) values[el.name] = el.value
    } else {
      values[el.name] = el.value
    }
  }
  const once = form.elements.namedItem(ONCE)
  try {
    storage()?.setItem(key, JSON.stringify({ at: Date.now(), values, once: once?.value }))
  } catch (error) { /* full or switched off: nothing more to do */ }
}

function forget (key) {
  storage()?.removeItem(key)
}

function restore (form, values) {
  const once = form.elements.namedItem(ONCE)
  if (once && values[ONCE]) once.value = values[ONCE]
  for (const el of fields(form)) {
    if (!(el.name in values)) continue
    if (el.type === 'checkbox') {
      el.checked = [values[el.name]].flat().includes(el.value)
    } else if (el.type === 'radio') {
      el.checked = values[el.name] === el.value
    } else {
      el.value = values[el.name]
    }
  }
}

// An NHS.UK callout above the form; focused, so a screen reader reads it and the keyboard
// starts from it.
function say (form, { kind, heading, lines }) {
  document.getElementById('draft-status')?.remove()
  const box = document.createElement('div')
  box.id = 'draft-status'
  box.className = kind === 'warning' ? 'nhsuk-warning-callout' : 'nhsuk-inset-text'
  box.tabIndex = -1
  box.setAttribute('role', kind === 'warning' ? 'alert' : 'status')
  const title = document.createElement(kind === 'warning' ? 'h2' : 'p')
  if (kind === 'warning') title.className = 'nhsuk-warning-callout__label'
  const strong = document.createElement('strong')
  if (kind === 'warning') {
    const hidden = document.createElement('span')
    hidden.className = 'nhsuk-u-visually-hidden'
    hidden.textContent = 'Important: '
    strong.append(hidden)
  }
  strong.append(heading)
  title.append(strong)
  box.append(title)
  for (const line of lines) {
    const p = document.createElement('p')
    p.textContent = line
    box.append(p)
  }
  form.before(box)
  if (kind === 'warning') box.focus()
}

function notSaved (form, why) {
  say(form, {
    kind: 'warning',
    heading: 'Your conversation has not been saved',
    lines: [
      why,
      'What you typed is kept on this page, and in this browser tab if you reload it.',
      'Try again when you have signal: press "Save conversation" again.'
    ]
  })
}

// The server's answer, shown as if the browser had posted the form itself.
function show (html, url) {
  const page = new DOMParser().parseFromString(html, 'text/html')
  document.title = page.title
  window.history.replaceState(null, '', url)
  page.body.className = document.body.className
  document.body.replaceWith(document.adoptNode(page.body))
  window.scrollTo(0, 0)
  initAll()
  const form = document.querySelector('form[data-draft-key]')
  if (form) keepDraft(form, { fresh: false })
}

async function send (form, key) {
  const button = form.querySelector('button:not([type=button])')
  if (!navigator.onLine) {
    notSaved(form, 'This phone or computer has no signal.')
    return
  }
  button.disabled = true
  let response, html
  try {
    response = await fetch(form.action, { method: 'POST', body: new FormData(form), credentials: 'same-origin' })
    html = await response.text()
  } catch (error) {
    button.disabled = false
    notSaved(form, 'The connection dropped before the conversation reached Casework.')
    return
  }
  if (response.status >= 500) {
    button.disabled = false
    notSaved(form, 'Casework had a problem saving it.')
    return
  }
  if (response.ok && new URL(response.url).pathname === form.dataset.savedUrl) forget(key)
  show(html, response.url)
}

function keepDraft (form, { fresh }) {
  const key = PREFIX + form.dataset.draftKey
  const draft = read(key)
  if (draft && fresh) {
    restore(form, draft)
    say(form, {
      kind: 'status',
      heading: 'We have put back what you typed earlier',
      lines: ['It has not been saved yet. Check it, then save the conversation.']
    })
  }
  form.addEventListener('input', () => write(key, form))
  form.addEventListener('change', () => write(key, form))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    send(form, key)
  })
}

const form = document.querySelector('form[data-draft-key]')
// A page showing the server's errors already holds what was typed: it is not put back over.
if (form) keepDraft(form, { fresh: !document.querySelector('.nhsuk-error-summary') })
