// Renders /api/v1/openapi.json and lets you try each operation (no external libraries: works offline).
(function () {
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function render(spec) {
    document.getElementById("title").textContent = spec.info.title + " " + spec.info.version;
    document.getElementById("description").textContent = spec.info.description;
    var base = spec.servers[0].url, ops = document.getElementById("ops");
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method], card = el("section", {"class": "card op"});
        var h = el("h2"); h.appendChild(el("span", {"class": "method"}, method)); h.appendChild(document.createTextNode(path));
        card.appendChild(h);
        card.appendChild(el("p", {}, op.summary));
        var params = {};
        (op.parameters || []).forEach(function (p) {
          var label = el("label", {}, p.name + " (" + p.in + ")"); var input = el("input", {"data-param": p.name});
          label.appendChild(input); card.appendChild(label); params[p.name] = [p, input];
        });
        var body;
        if (op.requestBody) {
          var schema = op.requestBody.content["application/json"].schema, example = {};
          Object.keys(schema.properties || {}).forEach(function (k) { example[k] = ""; });
          var bl = el("label", {}, "JSON body"); body = el("textarea", {rows: "4"}); body.value = JSON.stringify(example, null, 1);
          bl.appendChild(body); card.appendChild(bl);
        }
        var codes = el("p", {"class": "small"}, "Responses: " + Object.keys(op.responses).map(function (c) {
          return c + " " + op.responses[c].description; }).join(" · "));
        card.appendChild(codes);
        var out = el("pre"), go = el("button", {type: "button"}, "Try it");
        go.addEventListener("click", function () {
          var url = base + path, query = [];
          Object.keys(params).forEach(function (name) {
            var p = params[name][0], v = params[name][1].value;
            if (p.in === "path") url = url.replace("{" + name + "}", encodeURIComponent(v));
            else if (v) query.push(name + "=" + encodeURIComponent(v));
          });
          if (query.length) url += "?" + query.join("&");
          var headers = {"Content-Type": "application/json"}, token = document.getElementById("token").value.trim();
          if (token) headers.Authorization = "Bearer " + token;
          fetch(url, {method: method.toUpperCase(), headers: headers, body: body ? body.value : undefined})
            .then(function (r) { return r.text().then(function (t) { out.textContent = r.status + "\n" + t; }); });
        });
        card.appendChild(go); card.appendChild(out); ops.appendChild(card);
      });
    });
  }
  fetch("/api/v1/openapi.json").then(function (r) { return r.json(); }).then(render);
})();
