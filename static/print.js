// Print buttons (the print_button macro): shown only once this script runs, since without it they
// could do nothing, and printing the page when pressed. A button for one section of a longer
// document opens the whole on one page (its data-print-page) and prints it there; without this
// script the link beside it leads there instead. An external file, as the CSP allows no inline script.
const here = (url) => { const u = new URL(url, location.href); return u.pathname + u.search; };
for (const link of document.querySelectorAll("a[data-print-link]")) link.hidden = true;
for (const button of document.querySelectorAll("button[data-print][hidden]")) {
  button.hidden = false;
  const whole = button.dataset.printPage;
  button.addEventListener("click", () => {
    if (whole && here(whole) !== here(location.href)) location.href = new URL(whole, location.href).href + "#print";
    else window.print();
  });
}
if (location.hash === "#print" && document.querySelector("button[data-print]")) {
  history.replaceState(null, "", location.pathname + location.search);
  window.addEventListener("load", () => window.print());
}
