/* Class roster: a “select all” box for the enrolled rows (the page works without it). */
(function () {
  "use strict";
  var all = document.getElementById("pick-all");
  if (!all) {
    return;
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#roster-table input.pick"));
  if (!boxes.length) {
    return;
  }
  function sync() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
}());
