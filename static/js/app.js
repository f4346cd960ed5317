// Small progressive enhancements; every page works without them.
"use strict";

// A download gives up waiting for its file after this long and offers its buttons again.
const DOWNLOAD_WAIT_MS = 120000;

// The submit buttons of a form: its own and those elsewhere on the page that name it with
// form= (the list's rows use those, so the cached rows hold no CSRF token).
function submitButtons(form) {
  return [...form.elements].filter(
    (element) => element instanceof HTMLButtonElement && element.type === "submit",
  );
}

// Every submit button of the form disabled; the one that submitted it (or, without one, each)
// reads its data-busy-label.
function setBusy(form, submitter) {
  for (const button of submitButtons(form)) {
    button.disabled = true;
  }
  for (const button of submitter ? [submitter] : submitButtons(form)) {
    if (button.dataset.busyLabel && button.dataset.idleLabel === undefined) {
      button.setAttribute("aria-busy", "true");
      button.dataset.idleLabel = button.innerHTML;
      button.textContent = button.dataset.busyLabel;
    }
  }
}

// The form's buttons as they were, ready for another submit.
function setIdle(form) {
  delete form.dataset.submitting;
  for (const button of submitButtons(form)) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (button.dataset.idleLabel !== undefined) {
      button.innerHTML = button.dataset.idleLabel;
      delete button.dataset.idleLabel;
    }
  }
}

// A download is a streamed navigation that never unloads the page, so no page event says
// when the file has started. The form posts a fresh random download_token; the file's
// response sets a short-lived cookie named after it (reports/view_helpers.py), which this page
// sees as soon as the file's headers arrive: then the buttons come back. Polling a cookie
// keeps the download a plain navigation (never fetched into the page) and needs no inline
// script. A refusal redirects, which replaces the page anyway.
function watchDownload(form) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const token = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  form.elements.namedItem("download_token").value = token;
  const cookie = `download_${token}`;
  const since = Date.now();
  const timer = window.setInterval(() => {
    const started = document.cookie.split("; ").some((c) => c.startsWith(`${cookie}=`));
    if (started || Date.now() - since > DOWNLOAD_WAIT_MS) {
      window.clearInterval(timer);
      document.cookie = `${cookie}=; max-age=0; path=/; samesite=strict`;
      setIdle(form);
    }
  }, 250);
}

// A form marked data-once disables its submit buttons once it is being sent, so a double
// click cannot submit it twice. Disabling waits a tick: a button disabled during the submit
// event would drop its own name and value from what is sent. The form's fields are read
// after this event, so the download token set here is sent.
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
  if (form.hasAttribute("data-download")) {
    watchDownload(form);
  }
  const submitter = event.submitter;
  window.setTimeout(() => setBusy(form, submitter), 0);
});

// A page restored from the back/forward cache gets its buttons back.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-once]")) {
    setIdle(form);
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

// "Select all on this page" on the report list: shown only with JavaScript, it ticks or
// clears every row's checkbox named by data-select-all.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) {
    return;
  }
  for (const row of document.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`)) {
    row.checked = box.checked;
  }
});
const showSelectAll = () => {
  for (const box of document.querySelectorAll("[data-select-all]")) {
    box.hidden = false;
  }
};
document.addEventListener("DOMContentLoaded", showSelectAll);
document.addEventListener("htmx:afterSettle", showSelectAll);
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
