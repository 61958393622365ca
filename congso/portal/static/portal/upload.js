/* Upload progress for file forms (data-upload-progress): send the form with XMLHttpRequest
   and show a <progress> element (announced through a status region) while the files go up.
   The forms' views answer a success with a redirect and errors with status 422, which is
   shown as the plain post would show it. Without JavaScript, when no file is chosen, for
   buttons marked formnovalidate, or on a network error, the form is posted the plain way. */
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.FormData) { return; }

  function progressBox(form) {
    var box = form.querySelector(".upload-progress-box");
    if (box) { return box; }
    box = document.createElement("div");
    box.className = "upload-progress-box";
    box.setAttribute("role", "status");
    var id = "upload-progress-" + Math.random().toString(36).slice(2);
    var label = document.createElement("label");
    label.className = "upload-progress__text";
    label.setAttribute("for", id);
    label.textContent = form.getAttribute("data-upload-label") || "Đang tải tệp lên…";
    var bar = document.createElement("progress");
    bar.className = "upload-progress";
    bar.id = id;
    bar.max = 100;
    bar.value = 0;
    box.appendChild(label);
    box.appendChild(bar);
    form.appendChild(box);
    return box;
  }

  function nativeSubmit(form, submitter) {
    form.setAttribute("data-native", "1");
    if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload-progress]")) { return; }
    if (form.getAttribute("data-native") === "1") { return; }
    var hasFile = Array.prototype.some.call(
      form.querySelectorAll("input[type=file]"), function (input) { return input.files && input.files.length; });
    if (!hasFile) { return; }
    var submitter = event.submitter || null;
    // Buttons that only redraw the page (look-up, add a row) post the plain way.
    if (submitter && submitter.hasAttribute("formnovalidate")) { return; }
    event.preventDefault();
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var box = progressBox(form);
    var bar = box.querySelector("progress");
    var text = box.querySelector("label");
    var base = text.textContent;
    form.setAttribute("aria-busy", "true");
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) { return; }
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      text.textContent = base + " " + percent + "%";
    };
    xhr.onload = function () {
      // Success answers with a redirect (post/redirect/get): go there. The server has
      // already acted, so the GET shows the new state.
      if (xhr.status < 400 && xhr.responseURL) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // A page with the errors next to their fields: show it as the plain post would.
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      form.removeAttribute("aria-busy");
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = false; });
      nativeSubmit(form, submitter);
    };
    xhr.send(data);
  }

  // An error page written over this one (document.write) runs this script again in the same
  // window: keep exactly one listener.
  if (window.congsoUploadSubmit) { document.removeEventListener("submit", window.congsoUploadSubmit); }
  window.congsoUploadSubmit = onSubmit;
  document.addEventListener("submit", onSubmit);
})();
