// The verifier page: send a file, pasted text or a URL to POST /verify and show the reports
// (a presentation's too, with the challenge, domain and recipient of the optional checks).
// Credential data is only ever put in the page with textContent or as an <img> src that
// is a data:image URI or an https URL: never as HTML.
"use strict";

(function () {
  const VERDICTS = {
    verified: { text: "Verified", icon: "✓", note: "Every check that applies passed." },
    failed: { text: "Failed", icon: "✕", note: "Do not trust this credential: a check failed." },
    indeterminate: {
      text: "Could not check",
      icon: "?",
      note: "Nothing failed, but some checks could not be made. It is not verified.",
    },
  };
  const STATUS_LABELS = {
    passed: "passed",
    failed: "failed",
    could_not_check: "could not check",
    skipped: "skipped",
  };
  const CHECK_LABELS = {
    format: "Format",
    context: "Vocabulary (JSON-LD context)",
    shape: "Required fields",
    proof: "Signature",
    key: "Signing key",
    issuer: "Issuer",
    not_yet_valid: "Valid from",
    expiry: "Expiry",
    status: "Revocation status",
    holder: "Holder's key",
    challenge: "Challenge",
    domain: "Domain",
    created: "Created",
    expires: "Proof expiry",
    credentials: "Credentials",
    subject: "Issued to the holder",
  };
  const PRESENTATION_VERDICTS = {
    verified: { text: "Presentation verified", note: "The holder's proof and every credential in it passed." },
    failed: { text: "Presentation failed", note: "Do not trust this presentation: a check failed." },
    indeterminate: {
      text: "Presentation could not be checked",
      note: "Nothing failed, but some checks could not be made. It is not verified.",
    },
  };
  const OPTIONS = ["challenge", "domain", "recipient"];

  const results = document.getElementById("results");
  const progress = document.getElementById("progress");
  const problemBox = document.getElementById("problem");
  const template = document.getElementById("report-template");
  const presentationTemplate = document.getElementById("presentation-template");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeImageSource(src) {
    if (typeof src !== "string") return null;
    if (/^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(src)) return src;
    if (/^https:\/\/[^\s]+$/i.test(src)) return src;
    return null;
  }

  function formatDate(value) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return value;
    return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function addFact(list, term, value, isDate) {
    if (!value) return;
    list.append(el("dt", null, term));
    const dd = el("dd");
    if (isDate) {
      const time = el("time", null, formatDate(value));
      time.dateTime = value;
      time.title = value;
      dd.append(time);
    } else {
      dd.textContent = value;
    }
    list.append(dd);
  }

  function nameAndId(name, id) {
    if (name && id) return name + " (" + id + ")";
    return name || id || null;
  }

  function setVerdict(card, report, words) {
    const verdict = VERDICTS[report.verdict] || VERDICTS.indeterminate;
    const text = words || verdict;
    const banner = card.querySelector(".verdict");
    banner.dataset.verdict = report.verdict;
    card.querySelector(".verdict-icon").textContent = verdict.icon;
    card.querySelector(".verdict-text").textContent = text.text;
    card.querySelector(".verdict-note").textContent = text.note;
  }

  function fillWarnings(card, warnings) {
    if (!warnings.length) return;
    const list = card.querySelector(".warning-list");
    for (const warning of warnings) list.append(el("li", null, warning));
    card.querySelector(".warnings").hidden = false;
  }

  function fillChecks(list, checks) {
    for (const check of checks || []) {
      const item = el("li", "check");
      item.dataset.check = check.name;
      item.dataset.status = check.status;
      const status = el("span", "check-status", STATUS_LABELS[check.status] || check.status);
      item.append(status);
      const body = el("div", "check-body");
      body.append(el("span", "check-name", CHECK_LABELS[check.name] || check.name));
      body.append(el("span", "check-message", check.message));
      item.append(body);
      list.append(item);
    }
  }

  // a credential's card inside a presentation's: its headings go two levels down
  function relevel(card, by) {
    for (const heading of card.querySelectorAll("h2, h3")) {
      const level = Number(heading.tagName.slice(1)) + by;
      const replacement = document.createElement("h" + Math.min(level, 6));
      replacement.className = heading.className;
      while (heading.firstChild) replacement.append(heading.firstChild);
      heading.replaceWith(replacement);
    }
  }

  function sentence(text) {
    return text.charAt(0).toUpperCase() + text.slice(1) + ".";
  }

  function renderReport(report, nested) {
    const card = template.content.firstElementChild.cloneNode(true);
    setVerdict(card, report);

    const c = report.credential || {};
    const title = c.name || c.achievement_name || "Unnamed credential";
    card.querySelector(".credential-name").textContent = title;
    const description = c.description || c.achievement_description;
    card.querySelector(".credential-description").textContent = description || "";

    const image = safeImageSource(c.image);
    if (image) {
      const img = card.querySelector(".badge-image");
      img.src = image;
      img.alt = "Badge image for " + title;
      img.hidden = false;
    }

    const identity = report.issuer_identity;
    if (identity && identity.sentence) {
      const line = card.querySelector(".issuer-identity");
      line.dataset.level = identity.level;
      line.textContent = sentence(identity.sentence);
      line.hidden = false;
    }

    const facts = card.querySelector(".facts");
    addFact(facts, "Issuer", nameAndId(c.issuer_name, c.issuer_id));
    addFact(facts, "Recipient", nameAndId(c.subject_name, c.subject_id));
    addFact(facts, "Achievement", c.achievement_name);
    addFact(facts, "Achievement type", c.achievement_type);
    addFact(facts, "Criteria", c.criteria);
    addFact(facts, "Valid from", c.valid_from, true);
    addFact(facts, "Valid until", c.valid_until, true);
    addFact(facts, "Format", c.format);

    const skills = c.skills || [];
    if (skills.length) {
      const list = card.querySelector(".skill-list");
      for (const skill of skills) {
        const item = el("li");
        item.append(el("span", "skill-name", skill.targetName || skill.targetCode || "Skill"));
        const extra = [skill.targetFramework, skill.targetCode].filter(Boolean).join(" · ");
        if (extra) item.append(el("span", "skill-extra", extra));
        list.append(item);
      }
      card.querySelector(".skills").hidden = false;
    }

    const conformance = (report.conformance && report.conformance.problems) || [];
    if (conformance.length) {
      const list = card.querySelector(".conformance-list");
      for (const problem of conformance) list.append(el("li", "", problem));
      card.querySelector(".conformance").hidden = false;
    }

    const inner = report.credentials || [];
    if (inner.length) {
      const holder = card.querySelector(".inner-list");
      for (const r of inner) {
        holder.append(renderReport(r, true));
      }
      card.querySelector(".inner-credentials").hidden = false;
    }

    if (report.recipient && report.recipient.sentence) {
      const answer = card.querySelector(".recipient-answer");
      answer.dataset.answer = report.recipient.answer;
      answer.textContent = sentence(report.recipient.sentence);
      card.querySelector(".recipient").hidden = false;
    }

    fillWarnings(card, report.warnings || []);
    fillChecks(card.querySelector(".checks"), report.checks);
    if (report.source) {
      card.querySelector(".source").textContent = "Checked: " + report.source;
    }
    if (nested) relevel(card, 2);
    return card;
  }

  function renderPresentation(report) {
    const card = presentationTemplate.content.firstElementChild.cloneNode(true);
    setVerdict(
      card,
      report,
      PRESENTATION_VERDICTS[report.verdict] || PRESENTATION_VERDICTS.indeterminate
    );

    // no challenge to check against: say so first and plainly, not among the warnings
    let warnings = report.warnings || [];
    const challenge = (report.checks || []).find(function (c) {
      return c.name === "challenge";
    });
    if (challenge && challenge.status === "skipped") {
      const replay = warnings.find(function (w) {
        return w.indexOf("replay") !== -1;
      });
      card.querySelector(".replay-text").textContent = sentence(
        replay ||
          "no challenge was given to check the presentation against: it could be a replay of one made for someone else"
      );
      card.querySelector(".replay-warning").hidden = false;
      warnings = warnings.filter(function (w) {
        return w !== replay;
      });
    }

    const facts = card.querySelector(".facts");
    addFact(facts, "Holder", report.holder || "not named");
    addFact(facts, "Presentation id", report.id);
    const credentials = report.credentials || [];
    addFact(facts, "Credentials", String(credentials.length));
    fillWarnings(card, warnings);
    fillChecks(card.querySelector(".checks"), report.checks);
    const holder = card.querySelector(".credential-reports");
    credentials.forEach(function (credential, i) {
      credential.source = credential.source || "credential " + (i + 1) + " of the presentation";
      holder.append(renderReport(credential, true));
    });
    if (!credentials.length) card.querySelector(".presentation-credentials").hidden = true;
    if (report.source) {
      card.querySelector(".source").textContent = "Checked: " + report.source;
    }
    return card;
  }

  function progressText(reports) {
    const presentations = reports.filter(function (r) {
      return r.type === "VerifiablePresentation";
    }).length;
    const credentials = reports.length - presentations;
    const parts = [];
    if (presentations) parts.push(presentations === 1 ? "1 presentation" : presentations + " presentations");
    if (credentials || !presentations) {
      parts.push(credentials === 1 ? "1 credential" : credentials + " credentials");
    }
    return parts.join(" and ") + " checked.";
  }

  // the optional checks' fields go with whichever input is sent
  function withOptions(formData) {
    for (const name of OPTIONS) {
      const field = document.getElementById(name);
      const value = field ? field.value.trim() : "";
      if (value) formData.set(name, value);
    }
    return formData;
  }

  function showProblem(message) {
    problemBox.textContent = message;
    problemBox.hidden = false;
  }

  async function verify(formData, action) {
    problemBox.hidden = true;
    problemBox.textContent = "";
    results.replaceChildren();
    results.setAttribute("aria-busy", "true");
    progress.textContent = "Verifying…";
    try {
      const response = await fetch(action, {
        method: "POST",
        body: withOptions(formData),
        headers: { Accept: "application/json" },
      });
      let body = null;
      try {
        body = await response.json();
      } catch (_) {
        body = null;
      }
      if (!response.ok) {
        const detail = body && body.detail ? body.detail : "The server answered " + response.status + ".";
        progress.textContent = "";
        showProblem(detail);
        return;
      }
      const reports = (body && body.reports) || [];
      progress.textContent = progressText(reports);
      for (const report of reports) {
        results.append(
          report.type === "VerifiablePresentation" ? renderPresentation(report) : renderReport(report)
        );
      }
    } catch (error) {
      progress.textContent = "";
      showProblem("The verifier could not be reached. Check your connection and try again.");
    } finally {
      results.setAttribute("aria-busy", "false");
    }
  }

  function submitFile(file) {
    const form = document.getElementById("file-form");
    const data = new FormData();
    data.append("file", file, file.name);
    verify(data, form.action);
  }

  const fileInput = document.getElementById("file");
  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files.length) submitFile(fileInput.files[0]);
  });

  const dropzone = document.getElementById("dropzone");
  ["dragenter", "dragover"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.add("dragging");
    });
  });
  ["dragleave", "dragend"].forEach(function (type) {
    dropzone.addEventListener(type, function () {
      dropzone.classList.remove("dragging");
    });
  });
  dropzone.addEventListener("drop", function (event) {
    event.preventDefault();
    dropzone.classList.remove("dragging");
    const files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) submitFile(files[0]);
  });

  // a file dropped beside the drop zone must not make the browser navigate away to it
  window.addEventListener("dragover", function (event) {
    event.preventDefault();
  });
  window.addEventListener("drop", function (event) {
    event.preventDefault();
  });

  // demo samples: fetched from this server, then verified exactly like an uploaded file
  for (const button of document.querySelectorAll("button[data-sample]")) {
    button.addEventListener("click", async function () {
      try {
        const response = await fetch(button.dataset.sample);
        if (!response.ok) throw new Error(String(response.status));
        const blob = await response.blob();
        submitFile(new File([blob], button.dataset.sampleName, { type: blob.type }));
      } catch (_) {
        showProblem("The sample could not be loaded.");
      }
    });
  }

  for (const id of ["text-form", "url-form"]) {
    const form = document.getElementById(id);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      verify(new FormData(form), form.action);
    });
  }
})();
