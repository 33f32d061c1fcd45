// Apply the saved theme before the first paint, so a dark-theme admin never sees a white flash.
// A file (not an inline script) so a strict Content-Security-Policy can allow it as 'self'.
(function () {
  try {
    var choice = localStorage.getItem("vpnshop.theme") || "system";
    var dark = choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
    if (dark) document.documentElement.classList.add("dark");
    var lang = localStorage.getItem("vpnshop.locale");
    if (lang) document.documentElement.lang = lang;
  } catch (e) {
    // Storage blocked: the app applies its defaults when it starts.
  }
})();
