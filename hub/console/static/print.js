// The report's print button (no inline script: the console's CSP allows only its own files).
document.getElementById("print")?.addEventListener("click", () => window.print());
