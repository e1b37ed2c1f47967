// The simulator page: posts to the URLs the server wrote into data-* attributes (url_for), so the
// page works whatever address it was opened at. A choice of file sends it at once, as WhatsApp does.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const phone = document.getElementById("phone");
  const chat = document.getElementById("chat");
  const text = document.getElementById("text");
  const file = document.getElementById("file");
  const words = phone.dataset;
  let number = sessionStorage.getItem("saathi-number") || "";

  function bubble(cls, message, media) {
    const div = document.createElement("div");
    div.className = "bubble " + cls;
    if (message) div.textContent = message;
    for (const url of media || []) {
      const audio = /\.(ogg|mp3|wav|m4a|amr)$/.test(url);
      const el = document.createElement(audio ? "audio" : "img");
      el.src = url;
      if (audio) el.controls = true; else el.alt = "";
      div.appendChild(el);
    }
    chat.appendChild(div);
    chat.scrollTop = chat.scrollHeight;
  }

  async function post(body) {
    body.append("number", number);
    let response;
    try {
      response = await fetch(words.send, { method: "POST", body });
    } catch (err) {
      bubble("error", words.failed.replace("{status}", String(err)));
      return;
    }
    if (!response.ok) {
      bubble("error", words.failed.replace("{status}", response.status + " " + response.statusText));
      return;
    }
    const reply = await response.json();
    number = reply.number;
    sessionStorage.setItem("saathi-number", number);
    reply.texts.forEach((t, i) => bubble("bot", t, i === reply.texts.length - 1 ? reply.media : []));
    if (!reply.texts.length && reply.media.length) bubble("bot", "", reply.media);
  }

  document.getElementById("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    const body = new FormData();
    body.append("channel", document.getElementById("channel").value);
    body.append("text", text.value);
    bubble("me", text.value);
    text.value = "";
    await post(body);
  });

  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    const body = new FormData();
    body.append("channel", document.getElementById("channel").value);
    body.append("text", text.value);
    body.append("file", file.files[0]);
    bubble("me", (text.value ? text.value + "\n" : "") + words.attached.replace("{name}", file.files[0].name));
    text.value = "";
    file.value = "";
    await post(body);
  });

  document.getElementById("location").addEventListener("click", async () => {
    // WhatsApp's "share location": a pin, no text (the demo default is Dhuri, Punjab)
    const typed = prompt(words.locationPrompt, "30.3686, 75.8675");
    if (!typed) return;
    const [latitude, longitude] = typed.split(",").map((x) => x.trim());
    const body = new FormData();
    body.append("channel", "whatsapp");
    body.append("latitude", latitude);
    body.append("longitude", longitude || "");
    bubble("me", words.locationSent.replace("{place}", typed));
    await post(body);
  });

  setInterval(async () => {
    if (!number) return;
    try {
      const response = await fetch(words.poll + "?number=" + encodeURIComponent(number));
      if (!response.ok) return;
      for (const m of (await response.json()).messages) bubble("bot", m.body, m.media);
    } catch (err) { /* the next poll tries again */ }
  }, 1500);
});
