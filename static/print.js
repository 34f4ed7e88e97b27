// Print buttons (the print_button macro): shown only once this script runs, since without it they
// could do nothing, and printing the page when pressed. An external file, as the CSP allows no inline script.
for (const button of document.querySelectorAll("button[data-print][hidden]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
