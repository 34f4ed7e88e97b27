// A budget's ballot: the running total of the ticked projects' costs, and a warning when it is
// over the budget (the server refuses such a ballot anyway, so without this script nothing is lost).
for (const ballot of document.querySelectorAll("fieldset.budget-ballot")) {
  const output = ballot.querySelector("#budget-selected");
  const over = ballot.querySelector("#budget-over");
  const total = Number(ballot.dataset.total);
  const format = new Intl.NumberFormat(output.dataset.locale || undefined);
  const update = () => {
    let sum = 0;
    for (const box of ballot.querySelectorAll("input[type=checkbox][data-cost]:checked")) sum += Number(box.dataset.cost);
    output.textContent = format.format(sum);
    if (!ballot.dataset.max) over.hidden = sum <= total;
  };
  ballot.addEventListener("change", update);
  update();
}
