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
              if (typeof row === "string") { o.value = row; }
              else if (row.value) { o.value = row.value; o.textContent = row.label; }
              else { o.value = row.code; o.label = row.code + " " + row.description; o.textContent = label(row); }
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
    // The medicine check while the doctor writes (interactions, duplicates, allergies, age, dose,
    // pregnancy); saving checks again on the server and asks for an override where needed.
    var rx = document.getElementById("rx"), live = document.getElementById("rx-live"), checking;
    function check() {
      clearTimeout(checking);
      checking = setTimeout(function () {
        fetch(rx.dataset.check, {method: "POST", body: new FormData(rx), credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {warnings: []}; })
          .then(function (data) {
            live.innerHTML = "";
            if (!data.warnings.length) return;
            var list = document.createElement("ul");
            data.warnings.forEach(function (w) {
              var li = document.createElement("li");
              li.className = "rx-warning " + (w.serious ? "serious" : "caution");
              li.dataset.code = w.code;
              li.textContent = w.text;
              list.appendChild(li);
            });
            live.appendChild(list);
          });
      }, 300);
    }
    if (rx && live && rx.dataset.check) { rx.addEventListener("change", check); rx.addEventListener("input", check); }
  });
})();
