// Loaded at the top of <body> (templates/base.html), where the NHS.UK template has an
// inline script that the Content-Security-Policy forbids: the design system's CSS and JS
// look for these classes to know that JavaScript, and modern JavaScript, run here.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '')
