// Small progressive enhancements; every form works without JavaScript.
(function () {
  function suggest(input, list, url, label) {
    var timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) {
            list.innerHTML = "";
            rows.forEach(function (row) {
              var o = document.createElement("option");
              if (typeof row === "string") { o.value = row; } else { o.value = row.code; o.label = row.code + " " + row.description; o.textContent = label(row); }
              list.appendChild(o);
            });
          });
      }, 200);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var icd = document.getElementById("icd");
    if (icd) suggest(icd, document.getElementById("icd-list"), icd.dataset.search,
                     function (r) { return r.code + " " + r.description; });
    var meds = document.getElementById("med-list");
    function bindMed(input) { if (meds) suggest(input, meds, meds.dataset.search, function (r) { return r; }); }
    document.querySelectorAll("input.med").forEach(bindMed);
    var add = document.getElementById("add-row");
    if (add) add.addEventListener("click", function () {
      var rows = document.getElementById("rx-rows");
      var copy = rows.firstElementChild.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { if (i.name !== "days") i.value = ""; });
      rows.appendChild(copy);
      bindMed(copy.querySelector("input.med"));
    });
  });
})();
