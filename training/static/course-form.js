// The course form: the timezone follows the host country and city. A country with one
// timezone fills it; one with several lists them first and, unless the city names one of
// them, asks for the venue's. The server applies the same rule without this script.
(() => {
  const form = document.querySelector("form.course-form");
  if (!form) return;
  const country = form.querySelector("select[name=host_country]");
  const city = form.querySelector("input[name=city]");
  const zone = form.querySelector("select[name=timezone]");
  const note = form.querySelector("#timezone-suggestion");
  if (!country || !city || !zone || !note) return;

  const zonesByCountry = JSON.parse(zone.dataset.countryZones || "{}");
  const allZones = Array.from(zone.options, (option) => [option.value, option.text])
    .filter(([value]) => value !== "")
    .sort((a, b) => a[0].localeCompare(b[0]));
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (whole, key) => values[key] ?? whole);
  const countryName = () => country.options[country.selectedIndex]?.text ?? "";
  const shown = (name) => name.replaceAll("_", " ");

  // "Washington, DC" → "washington": the part before a comma names the city.
  const cityKey = () => city.value.split(/[,，]/)[0].trim().toLowerCase();

  function optionsFor(own) {
    const ownSet = new Set(own);
    const make = ([value, text]) => new Option(text, value);
    zone.replaceChildren();
    if (own.length) {
      const group = document.createElement("optgroup");
      group.label = fill(form.dataset.zoneGroup, { country: countryName() });
      group.append(...own.map((name) => make([name, shown(name)])));
      const others = document.createElement("optgroup");
      others.label = form.dataset.zoneOthers;
      others.append(...allZones.filter(([value]) => !ownSet.has(value)).map(make));
      zone.append(group, others);
    } else {
      zone.append(...allZones.map(make));
    }
  }

  function follow(changed) {
    const entries = zonesByCountry[country.value] || [];
    const own = entries.map(([name]) => name);
    const current = zone.value;
    optionsFor(own);
    if (!own.length) {
      zone.value = current;
      note.textContent = "";
      return;
    }
    const wanted = cityKey();
    const named = wanted ? entries.filter(([, cities]) => cities.includes(wanted)) : [];
    if (own.length === 1) {
      zone.value = own[0];
      note.textContent = fill(form.dataset.zoneOne, { zone: shown(own[0]), country: countryName() });
    } else if (named.length === 1) {
      zone.value = named[0][0];
      note.textContent = fill(form.dataset.zoneCity, { zone: shown(named[0][0]), city: city.value.trim() });
    } else if (own.includes(current)) {
      zone.value = current;
      note.textContent = changed ? fill(form.dataset.zoneSeveral, { country: countryName() }) : "";
    } else {
      // Nothing to go by: ask, rather than leave another country's clock in place.
      const choose = new Option(form.dataset.zoneChoose, "");
      zone.prepend(choose);
      zone.value = "";
      note.textContent = fill(form.dataset.zoneSeveral, { country: countryName() });
    }
  }

  country.addEventListener("change", () => follow(true));
  city.addEventListener("change", () => follow(true));
  // On an edit form (or a form sent back with errors) the country's zones come first, but
  // what is entered stays as it is.
  if (country.value) {
    const current = zone.value;
    optionsFor((zonesByCountry[country.value] || []).map(([name]) => name));
    zone.value = current;
  }
})();
