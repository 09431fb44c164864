// Reads an iCalendar feed on stdin; prints each event's UID, UTC instants and status as JSON,
// computed by ical.js from the feed's own VTIMEZONE components.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}

function instant(time, property) {
  const tzid = property.getParameter("tzid");
  if (tzid && (!time.zone || time.zone.tzid !== tzid)) {
    throw new Error(`ical.js did not resolve TZID ${tzid} from the feed`);
  }
  return time.isDate ? time.toString() : new Date(time.toUnixTime() * 1000).toISOString();
}

const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    start: instant(event.startDate, vevent.getFirstProperty("dtstart")),
    end: instant(event.endDate, vevent.getFirstProperty("dtend")),
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
  };
});
process.stdout.write(JSON.stringify(events));
