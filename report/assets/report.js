// The sample browser: filters over the samples embedded in this page; no server, no network.
(function () {
  const samples = JSON.parse(document.getElementById("samples-data").textContent);
  const thumbs = JSON.parse(document.getElementById("thumbs-data").textContent);
  const page = 100;  // cards drawn at a time
  let shown = page;
  const controls = {
    run: document.getElementById("filter-run"), task: document.getElementById("filter-task"),
    outcome: document.getElementById("filter-outcome"), category: document.getElementById("filter-category"),
  };

  function fill(select, values) {
    for (const value of values) {
      const option = document.createElement("option");
      option.value = value; option.textContent = value; select.appendChild(option);
    }
  }
  fill(controls.run, [...new Set(samples.map(s => s.run))]);
  fill(controls.task, [...new Set(samples.map(s => s.task))]);
  fill(controls.category, [...new Set(samples.map(s => s.category).filter(c => c))].sort());

  function matches(s) {
    return (!controls.run.value || s.run === controls.run.value)
      && (!controls.task.value || s.task === controls.task.value)
      && (!controls.outcome.value || s.outcome === controls.outcome.value)
      && (!controls.category.value || s.category === controls.category.value);
  }

  function block(title, text) {
    const wrap = document.createElement("div");
    const label = document.createElement("strong"); label.textContent = title;
    const pre = document.createElement("pre"); pre.textContent = text;
    wrap.append(label, pre);
    return wrap;
  }

  function card(s) {
    const div = document.createElement("div");
    div.className = "sample " + s.outcome;
    div.dataset.task = s.task; div.dataset.outcome = s.outcome; div.dataset.category = s.category || "";
    const header = document.createElement("header");
    header.textContent = [s.run, s.task, s.qid, s.video, s.category || "no category", s.outcome].join(" · ");
    div.appendChild(header);
    div.appendChild(block("Question as shown", s.prompt));
    div.appendChild(block("Raw answer", s.output || "(empty)"));
    const facts = [];
    if (s.parsed !== undefined) facts.push("parsed: " + (s.parsed === null ? "none (unparseable)" : s.parsed));
    if (s.answer !== null) facts.push("correct answer: " + s.answer);
    if (s.failure) facts.push("model failure: " + s.failure);
    if (facts.length) div.appendChild(block("Scoring", facts.join("\n")));
    if (s.judge) div.appendChild(block("Judge (" + s.judge.model + ")", JSON.stringify(s.judge.scores) +
      (s.judge.error ? "\nerror: " + s.judge.error : "") + "\n" + (s.judge.reply || "")));
    const strip = document.createElement("div"); strip.className = "thumbs";
    for (const url of thumbs[s.thumbs] || []) {
      const img = document.createElement("img"); img.src = url; img.alt = "frame of " + s.video; strip.appendChild(img);
    }
    const seen = document.createElement("small"); seen.textContent = " " + s.seen; strip.appendChild(seen);
    div.appendChild(strip);
    return div;
  }

  function render() {
    const list = document.getElementById("samples-list");
    const hits = samples.filter(matches);
    list.replaceChildren(...hits.slice(0, shown).map(card));
    document.getElementById("sample-count").textContent = hits.length + " of " + samples.length + " samples";
    document.getElementById("show-more").hidden = hits.length <= shown;
  }
  for (const select of Object.values(controls)) select.addEventListener("change", () => { shown = page; render(); });
  document.getElementById("show-more").addEventListener("click", () => { shown += page; render(); });
  render();
})();
