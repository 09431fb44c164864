// Behaviour the pages add when scripts run (the Content-Security-Policy forbids inline script):
// a refused form's error summary takes focus, and feed addresses get a Copy button.

function focusErrorSummary() {
  // The form posted to "#errors", so the page already opens at the summary; focus makes
  // screen readers read it and puts the next Tab on its first link.
  const summary = document.getElementById("errors");
  if (summary) {
    summary.focus();
  }
}

function focusFieldOfErrorLink(event) {
  // Following a summary link scrolls to the field; put the caret in it as well.
  const link = event.target.closest(".error-summary a[href^='#']");
  if (!link) {
    return;
  }
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  }
}

function showCopied(button, status, text) {
  status.textContent = text;
  button.textContent = button.dataset.copiedLabel;
  window.clearTimeout(button.copyTimer);
  button.copyTimer = window.setTimeout(() => {
    button.textContent = button.dataset.copyLabel;
    status.textContent = "";
  }, 4000);
}

function copyAddress(event) {
  const button = event.target.closest("[data-copy]");
  if (!button) {
    return;
  }
  const input = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + "-status");
  input.focus();
  input.select();
  const fallback = () => {
    // Without the asynchronous clipboard (an http:// page, an old browser) the address is
    // selected: the reader copies it themselves.
    if (document.execCommand && document.execCommand("copy")) {
      showCopied(button, status, button.dataset.copiedText);
    } else {
      status.textContent = button.dataset.copyFailedText;
    }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(
      () => showCopied(button, status, button.dataset.copiedText),
      fallback,
    );
  } else {
    fallback();
  }
}

function selectOnFocus(event) {
  if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.hidden = false;
  }
  focusErrorSummary();
});
document.addEventListener("click", focusFieldOfErrorLink);
document.addEventListener("click", copyAddress);
document.addEventListener("focusin", selectOnFocus);
