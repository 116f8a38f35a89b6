// xhht serve: small progressive enhancements; every page also works without this script.
(function () {
  "use strict";
  function csrf(form) { var i = form.querySelector("input[name=csrf]"); return i ? i.value : ""; }

  document.addEventListener("DOMContentLoaded", function () {
    // year selector: go straight to the same page of the chosen year
    document.querySelectorAll("[data-year-select]").forEach(function (sel) {
      var btn = sel.form.querySelector("[data-nojs]");
      if (btn) btn.hidden = true;
      sel.addEventListener("change", function () {
        var opt = sel.options[sel.selectedIndex];
        window.location.href = opt.getAttribute("data-href");
      });
    });

    // receive: drag and drop onto the zone, then send at once
    var drop = document.querySelector("[data-drop]");
    if (drop) {
      var zone = drop.querySelector("[data-drop-zone]");
      var input = drop.querySelector("[data-files]");
      var busy = drop.querySelector("[data-busy]");
      var send = function (files) {
        if (!files || !files.length) return;
        var body = new FormData();
        body.append("csrf", csrf(drop));
        for (var i = 0; i < files.length; i++) body.append("files", files[i], files[i].name);
        busy.hidden = false;
        fetch(drop.action || window.location.href, { method: "POST", body: body, credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var fresh = doc.querySelector("main");
            if (fresh) { document.querySelector("main").replaceWith(fresh); }
            var results = document.querySelector("[data-results]");
            if (results) results.scrollIntoView();
            init();
          })
          .catch(function () { busy.hidden = true; alert("Không gửi được tệp. Hãy kiểm tra trang xhht còn chạy rồi thử lại."); });
      };
      var init = function () {
        var d = document.querySelector("[data-drop]");
        if (d && d !== drop) { drop = d; }
        zone = drop.querySelector("[data-drop-zone]");
        input = drop.querySelector("[data-files]");
        busy = drop.querySelector("[data-busy]");
        ["dragenter", "dragover"].forEach(function (t) {
          zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
        });
        ["dragleave", "drop"].forEach(function (t) {
          zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); });
        });
        zone.addEventListener("drop", function (e) { send(e.dataTransfer.files); });
        drop.addEventListener("submit", function (e) { e.preventDefault(); send(input.files); });
      };
      init();
    }

    // documents: follow the run's progress without reloading
    var box = document.querySelector("[data-progress]");
    if (box && box.querySelector("[data-bar]")) {
      var bar = box.querySelector("[data-bar]");
      var stage = box.querySelector("[data-stage]");
      var poll = function () {
        fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (job) {
            if (job.state === "running") {
              if (bar) { bar.max = job.total; bar.value = job.done; }
              if (stage) stage.textContent = job.stage || "chuẩn bị";
              setTimeout(poll, 700);
            } else {
              window.location.reload();
            }
          })
          .catch(function () { setTimeout(poll, 2000); });
      };
      setTimeout(poll, 500);
    }
    var make = document.querySelector("[data-make]");
    if (make) make.addEventListener("submit", function () {
      var b = make.querySelector("[data-make-button]"); if (b) { b.disabled = true; b.textContent = "Đang bắt đầu…"; }
    });
  });
})();
