/* Proofs of a referencing dossier: several files at once, dropped or chosen, each matched to a
   requirement by its name (the server proposes, the editor confirms or changes), then sent with
   XHR so that a progress bar follows a large video and the button stays disabled meanwhile.

   Progressive enhancement: without this script the form is a plain multipart form and the server
   matches every file by its name. The server checks everything again and stores all the files
   of a submission or none. */
(function () {
  "use strict";

  var form = document.getElementById("proofs-form");
  if (!form || !window.FormData || !window.XMLHttpRequest || !window.fetch || !window.URLSearchParams) {
    return;
  }

  var input = document.getElementById("proof-files");
  var zone = document.getElementById("proofs-dropzone");
  var matching = document.getElementById("proofs-matching");
  var list = matching.querySelector("ul");
  var options = document.getElementById("proofs-requirement-options");
  var submit = document.getElementById("proofs-submit");
  var errors = document.getElementById("proofs-errors");
  var uploadBox = document.getElementById("proofs-upload");
  var bar = document.getElementById("proofs-upload-progress");
  var status = document.getElementById("proofs-upload-status");
  var maxFiles = parseInt(form.dataset.maxFiles, 10);
  var maxTotal = parseInt(form.dataset.maxTotal, 10);
  var kindLimits = {};
  form.dataset.kindLimits.split(";").forEach(function (pair) {
    var parts = pair.split(":");
    kindLimits[parts[0]] = parseInt(parts[1], 10);
  });

  var rows = [];  // {file, select, replace, replaceGroup, error}
  var sending = false;
  var proposing = Promise.resolve();  // the server's proposals for the last files added

  function size(n) {
    var mb = 1024 * 1024;
    if (n >= mb) { return (n / mb).toFixed(1).replace(".", ",") + " Mo"; }
    if (n >= 1024) { return Math.round(n / 1024) + " Ko"; }
    return n + " octets";
  }

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function selectedOption(row) {
    return row.select.options[row.select.selectedIndex];
  }

  function refreshReplace(row) {
    var option = selectedOption(row);
    var hasFiles = option && option.dataset.hasFiles === "1";
    row.replaceGroup.hidden = !hasFiles;
    if (!row.replaceTouched) { row.replace.checked = !!(option && option.dataset.rejected === "1"); }
  }

  function setRowError(row, message) {
    // DSFR shows .fr-error-text whatever `hidden` says: the element is there only with a message.
    row.error.textContent = message || "";
    if (message) {
      row.select.setAttribute("aria-invalid", "true");
      row.select.setAttribute("aria-describedby", row.error.id);
      if (!row.error.parentNode) { row.select.parentNode.appendChild(row.error); }
    } else {
      row.select.removeAttribute("aria-invalid");
      row.select.removeAttribute("aria-describedby");
      if (row.error.parentNode) { row.error.parentNode.removeChild(row.error); }
    }
  }

  function render() {
    list.textContent = "";
    rows.forEach(function (row, index) {
      var id = "proof-file-" + index;
      var item = el("li");
      item.appendChild(el("p", {"class": "fr-text--sm fr-mb-1w"},
        row.file.name + " — " + size(row.file.size)));
      var group = el("div", {"class": "fr-select-group fr-mb-1w"});
      var label = el("label", {"class": "fr-label", "for": id + "-requirement"},
        "Exigence pour « " + row.file.name + " »");
      row.select.id = id + "-requirement";
      row.error.id = id + "-error";
      group.appendChild(label);
      group.appendChild(row.select);
      item.appendChild(group);
      setRowError(row, row.error.textContent);
      row.replace.id = id + "-replace";
      var replaceLabel = row.replaceGroup.querySelector("label");
      replaceLabel.setAttribute("for", row.replace.id);
      replaceLabel.textContent = "« " + row.file.name + " » remplace les fichiers déjà déposés pour cette exigence";
      item.appendChild(row.replaceGroup);
      var remove = el("button", {"type": "button", "class": "fr-btn fr-btn--tertiary fr-btn--sm"},
        "Retirer « " + row.file.name + " » de l'envoi");
      remove.addEventListener("click", function () {
        rows.splice(rows.indexOf(row), 1);
        render();
        submit.focus();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    matching.hidden = rows.length === 0;
    submit.textContent = rows.length > 1 ? "Envoyer les " + rows.length + " fichiers" : "Envoyer le fichier";
    if (rows.length === 0) { submit.textContent = "Envoyer les fichiers"; }
  }

  function makeRow(file) {
    var select = el("select", {"class": "fr-select"});
    select.appendChild(options.content.cloneNode(true));
    var replaceGroup = el("div", {"class": "fr-checkbox-group fr-checkbox-group--sm fr-mb-1w"});
    var replace = el("input", {"type": "checkbox"});
    replaceGroup.appendChild(replace);
    replaceGroup.appendChild(el("label", {"class": "fr-label"}));
    var row = {
      file: file, select: select, replace: replace, replaceGroup: replaceGroup,
      error: el("p", {"class": "fr-error-text"}), touched: false, replaceTouched: false
    };
    select.addEventListener("change", function () {
      row.touched = true;
      setRowError(row, "");
      refreshReplace(row);
    });
    replace.addEventListener("change", function () { row.replaceTouched = true; });
    refreshReplace(row);
    return row;
  }

  function propose(newRows) {
    // The server reads each name with the same rule it applies to a form sent without script.
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    newRows.forEach(function (row) { body.append("nom", row.file.name); });
    return fetch(form.dataset.matchUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.ok ? response.json() : {matches: []};
    }).then(function (data) {
      (data.matches || []).forEach(function (match, i) {
        var row = newRows[i];
        if (!row || row.touched) { return; }
        if (match.proof) {
          row.select.value = String(match.proof);
          setRowError(row, "");
        } else {
          setRowError(row, "Aucune exigence reconnue dans le nom de ce fichier : choisissez-la.");
        }
        refreshReplace(row);
      });
    }).catch(function () {
      newRows.forEach(function (row) {
        if (!row.touched) { setRowError(row, "Choisissez l'exigence de ce fichier."); }
      });
    });
  }

  function addFiles(files, replaceAll) {
    if (sending) { return; }
    if (replaceAll) { rows = []; }
    var added = Array.prototype.map.call(files, makeRow);
    rows = rows.concat(added);
    hideErrors();
    render();
    if (added.length) { proposing = propose(added); }
  }

  function hideErrors() {
    errors.hidden = true;
    input.removeAttribute("aria-invalid");
  }

  function showErrors(message, items) {
    errors.querySelector("p").textContent = message;
    var ul = errors.querySelector("ul");
    ul.textContent = "";
    (items || []).forEach(function (item) {
      ul.appendChild(el("li", {}, "« " + item.name + " » : " + item.message));
    });
    errors.hidden = false;
    errors.focus();
  }

  function precheck() {
    var problems = [];
    var total = 0;
    if (rows.length === 0) {
      return {message: "Choisissez au moins un fichier à déposer.", items: []};
    }
    if (rows.length > maxFiles) {
      return {message: "Trop de fichiers en un envoi (" + rows.length + ") : " + maxFiles +
        " au maximum. Envoyez-les en plusieurs fois.", items: []};
    }
    rows.forEach(function (row) {
      total += row.file.size;
      var limit = kindLimits[extension(row.file.name)];
      var message = "";
      if (!row.select.value) {
        message = "choisissez l'exigence de ce fichier.";
      } else if (row.file.size === 0) {
        message = "le fichier est vide.";
      } else if (limit && row.file.size > limit) {
        message = "trop volumineux (" + size(row.file.size) + ") : " + size(limit) + " au maximum pour ce type.";
      }
      if (!row.select.value) { setRowError(row, "Choisissez l'exigence de ce fichier."); }
      if (message) { problems.push({name: row.file.name, message: message}); }
    });
    if (problems.length) {
      return {message: "Aucun fichier n'a été envoyé : corrigez ces fichiers (ou retirez-les de l'envoi).",
        items: problems};
    }
    if (total > maxTotal) {
      return {message: "Envoi trop volumineux (" + size(total) + " au total) : " + size(maxTotal) +
        " au maximum par envoi. Envoyez les vidéos séparément.", items: []};
    }
    return null;
  }

  function setSending(on) {
    sending = on;
    submit.disabled = on;
    input.disabled = on;
    rows.forEach(function (row) { row.select.disabled = on; row.replace.disabled = on; });
    form.setAttribute("aria-busy", on ? "true" : "false");
    uploadBox.hidden = !on;
    if (on) {
      bar.value = 0;
      submit.textContent = "Envoi en cours…";
    } else {
      render();
    }
  }

  function send() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    rows.forEach(function (row, index) {
      data.append("files", row.file, row.file.name);
      data.append("requirement_" + index, row.select.value);
      data.append("replace_" + index, row.replace.checked && !row.replaceGroup.hidden ? "1" : "0");
    });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.floor(100 * event.loaded / event.total);
      bar.value = percent;
      status.textContent = "Envoi : " + percent + " % (" + size(event.loaded) + " sur " + size(event.total) + ")";
    });
    xhr.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (ignored) { answer = null; }
      if (answer && answer.ok) {
        status.textContent = "Fichiers déposés : affichage du dossier…";
        var target = new URL(answer.redirect, window.location.href);
        if (target.pathname === window.location.pathname && target.search === window.location.search) {
          // Only the fragment differs: assigning it would scroll, not show the new files.
          window.location.hash = target.hash;
          window.location.reload();
        } else {
          window.location.assign(target.href);
        }
        return;
      }
      setSending(false);
      if (answer) {
        showErrors(answer.error, answer.files);
      } else {
        showErrors("L'envoi a été refusé par le serveur (code " + xhr.status + ") : aucun fichier " +
          "n'a été déposé. Rechargez la page et réessayez.", []);
      }
    });
    xhr.addEventListener("error", function () {
      setSending(false);
      showErrors("L'envoi a été interrompu (connexion perdue) : aucun fichier n'a été déposé. " +
        "Réessayez.", []);
    });
    hideErrors();
    setSending(true);
    status.textContent = "Envoi : 0 %";
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    submit.disabled = true;
    // A click before the proposals came back sends them, not empty choices.
    proposing.then(function () {
      submit.disabled = false;
      var problem = precheck();
      if (problem) {
        showErrors(problem.message, problem.items);
        return;
      }
      send();
    });
  });

  input.addEventListener("change", function () { addFiles(input.files, true); });

  zone.querySelector(".segur-dropzone__hint").hidden = false;
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("segur-dropzone--over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.remove("segur-dropzone--over");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) {
      addFiles(event.dataTransfer.files, false);
    }
  });
})();
