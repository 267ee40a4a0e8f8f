// The catalog page: the "Compare selected" button is enabled for 2 to 4 ticked programs and
// says how many are ticked.
// Without JavaScript the forms work as they are (the compare page checks the count).
"use strict";

(function () {
  const MIN = 2;
  const MAX = 4;
  const form = document.getElementById("compare-form");
  if (form) {
    const button = form.querySelector("button[type=submit]");
    const hint = document.getElementById("compare-hint");
    const boxes = () => Array.from(form.querySelectorAll("input[name=ids]"));

    function update() {
      const n = boxes().filter((b) => b.checked).length;
      button.disabled = n < MIN || n > MAX;
      if (n === 0) hint.textContent = "Tick " + MIN + " to " + MAX + " programs.";
      else if (n > MAX) hint.textContent = n + " ticked: compare at most " + MAX + ".";
      else hint.textContent = n + " ticked" + (n < MIN ? ": tick at least " + MIN + "." : ".");
    }

    form.addEventListener("change", update);
    update();
  }
})();
