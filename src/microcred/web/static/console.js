// The console's job page: poll the job's progress every second and update the bar and the
// counts in place until it is done. Without JavaScript, the page's Refresh link does it.
"use strict";

(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const url = box.dataset.progressUrl;
  const bar = document.getElementById("job-bar");
  const state = document.getElementById("job-state");
  const counts = document.getElementById("job-counts");
  const FINAL = ["done", "failed"];

  function show(p) {
    bar.max = Math.max(p.total, 1);
    bar.value = p.finished;
    bar.textContent = p.percent + "%";
    state.textContent = p.state;
    state.dataset.state = p.state;
    box.dataset.state = p.state;
    counts.textContent =
      p.finished + " of " + p.total + " rows: " + p.done + " issued, " + p.skipped +
      " skipped, " + p.failed + " failed.";
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store" });
      if (!response.ok) return; // signed out or gone: the Refresh link still works
      const p = await response.json();
      show(p);
      if (FINAL.includes(p.state)) {
        if (p.failed > 0) window.location.reload(); // to list the rows that failed
        return;
      }
    } catch (err) {
      // a network hiccup: try again
    }
    window.setTimeout(poll, 1000);
  }

  if (!FINAL.includes(box.dataset.state)) window.setTimeout(poll, 1000);
})();
