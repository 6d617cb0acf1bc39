// Live progress of a screening job: polls its progress and reloads the page when it ends.
// Without JavaScript the page refreshes itself (the <noscript> meta refresh).
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.state !== "RUNNING") return;
  const bar = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  async function poll() {
    try {
      const answer = await fetch(`/batch/${box.dataset.job}/progress`, { credentials: "same-origin" });
      if (answer.ok) {
        const p = await answer.json();
        bar.value = p.percent;
        bar.textContent = `${p.percent}%`;
        text.textContent = `核查中 ${p.percent}%（${p.done}/${p.total}）`;
        if (p.state !== "RUNNING") { window.location.reload(); return; }
      }
    } catch (e) { /* a missed poll is retried */ }
    setTimeout(poll, 500);
  }
  setTimeout(poll, 300);
})();
