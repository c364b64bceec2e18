// Draws every chart of the page from the JSON configuration beside its canvas (no inline script:
// the Content-Security-Policy allows only this server's files). window.leadscoreCharts lists the
// charts drawn, for the browser tests.
(function () {
  "use strict";
  window.leadscoreCharts = {};
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart + "-config");
    var config = JSON.parse(source.textContent);
    window.leadscoreCharts[canvas.dataset.chart] = new Chart(canvas, config);
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
