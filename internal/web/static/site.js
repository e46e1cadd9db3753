// wugongkai pages: small progressive enhancements only; every page works without this file.
(function () {
  "use strict";
  // A form sends once: after the first submit its buttons are disabled, so a double click does
  // not fire a transition twice (the server would refuse the second as stale anyway).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.method.toLowerCase() !== "post") {
      return;
    }
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = true;
      }
    }, 0);
  });
  // "Select all" boxes: a checkbox with data-select-all="NAME [NAME…]" ticks every checkbox with
  // one of those names.
  document.addEventListener("change", function (ev) {
    var box = ev.target;
    var names = box.getAttribute && box.getAttribute("data-select-all");
    if (!names) {
      return;
    }
    names.split(" ").forEach(function (name) {
      var all = document.querySelectorAll("input[type=checkbox][name='" + name + "']");
      for (var i = 0; i < all.length; i++) {
        all[i].checked = box.checked;
      }
    });
  });
})();
