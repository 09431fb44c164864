// Reads an iCalendar feed on stdin; prints the start of every occurrence of its recurring events as
// UTC instants (JSON), as ical.js expands them: RRULE, EXDATE, and RECURRENCE-ID overrides applied.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}

const vevents = calendar.getAllSubcomponents("vevent");
const masters = vevents.filter((v) => !v.hasProperty("recurrence-id")).map((v) => new ICAL.Event(v));
for (const exception of vevents.filter((v) => v.hasProperty("recurrence-id"))) {
  const master = masters.find((m) => m.uid === exception.getFirstPropertyValue("uid"));
  master.relateException(new ICAL.Event(exception));
}

const starts = [];
for (const event of masters) {
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    if (details.item.component.getFirstPropertyValue("status") === "CANCELLED") continue;
    starts.push(new Date(details.startDate.toUnixTime() * 1000).toISOString());
  }
}
process.stdout.write(JSON.stringify(starts.sort()));
