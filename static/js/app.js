// Small progressive enhancements; every page works without them.
"use strict";

// A form marked data-once disables its submit buttons once it is being sent, so a double
// click cannot submit it twice. Disabling waits a tick: a button disabled during the submit
// event would drop its own name and value from what is sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) {
    return;
  }
  if (form.dataset.submitting === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  window.setTimeout(() => {
    for (const button of form.querySelectorAll("button[type=submit]")) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      if (button.dataset.busyLabel) {
        button.textContent = button.dataset.busyLabel;
      }
    }
  }, 0);
});

// A page restored from the back/forward cache gets its buttons back.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-once]")) {
    delete form.dataset.submitting;
    for (const button of form.querySelectorAll("button[type=submit]")) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }
});

// A form sent back with errors: focus its first error, so a screen reader reads it out (with
// the field's label; aria-describedby carries the message) and the keyboard starts there.
document.addEventListener("DOMContentLoaded", () => {
  const error = document.querySelector("[data-form-errors], [aria-invalid='true']");
  if (error) {
    error.focus();
  }
});

// A preview's Cancel aborts the request in flight and says so where the preview would have
// gone. The buttons sync on their controls (hx-sync), so htmx keeps the request there.
document.addEventListener("click", (event) => {
  const cancel = event.target instanceof Element && event.target.closest("[data-preview-cancel]");
  if (!cancel) {
    return;
  }
  const controls = cancel.closest("[data-preview-controls]");
  window.htmx.trigger(controls, "htmx:abort");
  const target = document.getElementById("preview");
  target.replaceChildren();
  const note = document.createElement("p");
  note.className = "text-body-secondary";
  note.textContent = cancel.dataset.cancelledText;
  target.append(note);
});
