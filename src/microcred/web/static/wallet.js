// The wallet's pages work without this script: it only adds drag and drop onto the import
// panel (the dropped files go into the form's file input, and the form is sent) and "Copy"
// buttons. Nothing from a credential is ever put in the page as HTML.
"use strict";

(function () {
  const form = document.getElementById("import-form");
  const input = document.getElementById("import-file");
  const zone = document.getElementById("wallet-dropzone");
  const chosen = document.getElementById("import-chosen");

  function showChosen() {
    if (!chosen || !input) return;
    const names = Array.from(input.files || []).map(function (f) {
      return f.name;
    });
    chosen.textContent = names.length ? "Chosen: " + names.join(", ") : "";
  }

  if (form && input && zone) {
    input.addEventListener("change", showChosen);
    // the whole panel takes drops, the drop zone shows it
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        if (event.target === form || event.target === zone) zone.classList.remove("dragging");
      });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      const files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      input.files = files;
      showChosen();
      if (chosen) chosen.textContent = "Adding " + files.length + (files.length === 1 ? " file…" : " files…");
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    });
    // a file dropped beside the panel must not make the browser navigate away to it
    window.addEventListener("dragover", function (event) {
      event.preventDefault();
    });
    window.addEventListener("drop", function (event) {
      event.preventDefault();
    });
  }

  // "Copy" buttons: the share link's address, or the presentation's JSON
  for (const button of document.querySelectorAll(".copy-button")) {
    if (!navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", function () {
      let text = "";
      if (button.dataset.copy) {
        const field = document.getElementById(button.dataset.copy);
        text = field ? field.value : "";
      } else if (button.dataset.copyText) {
        const node = document.getElementById(button.dataset.copyText);
        text = node ? node.textContent : "";
      }
      navigator.clipboard.writeText(text).then(
        function () {
          button.textContent = "Copied";
        },
        function () {
          button.textContent = "Select and copy it";
        }
      );
    });
  }

  // a share link's address is selected when focused, ready to copy
  for (const field of document.querySelectorAll("input.share-url")) {
    field.addEventListener("focus", function () {
      field.select();
    });
  }
})();
