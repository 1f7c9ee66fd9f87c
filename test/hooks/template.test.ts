import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Hook_Condition } from "../../gen/v1/config_pb.js";
import { defaultMessage, renderTemplate, TemplateError } from "../../src/hooks/index.js";
import { failedEvent, sampleEvent } from "./helpers.js";

describe("renderTemplate: Backrest fields", () => {
  const ev = sampleEvent();

  test("plain fields", () => {
    const out = renderTemplate(
      "{{ .Plan.Id }}|{{ .Repo.Id }}|{{ .SnapshotId }}|{{ .Instance }}|{{ .Task }}|{{ .EventType }}",
      ev,
    );
    assert.equal(out, 'daily|offsite|1a2b3c4d|nas-box|backup for plan "daily"|backup.completed');
  });

  test(".Event prints the Backrest condition name; .EventName gives the human name", () => {
    assert.equal(renderTemplate("{{ .Event }}", ev), "CONDITION_SNAPSHOT_SUCCESS");
    assert.equal(renderTemplate("{{ .EventName .Event }}", ev), "snapshot success");
    assert.equal(
      renderTemplate('{{ if eq .Event "CONDITION_SNAPSHOT_SUCCESS" }}y{{ end }}', ev),
      "y",
    );
    assert.equal(renderTemplate("{{ .IsError .Event }}", failedEvent()), "true");
  });

  test("the repo URI is shown with its password masked", () => {
    const out = renderTemplate("{{ .Repo.Uri }}", ev);
    assert.equal(out, "rest:https://alice:***@backup.example:8000/alice");
    assert.ok(!out.includes("repo-pass-123"));
  });

  test("durations print like Go's time.Duration", () => {
    assert.equal(renderTemplate("{{ .Duration }}", ev), "5.2s");
    assert.equal(renderTemplate("{{ .Duration }}", sampleEvent({ durationMs: 62_000 })), "1m2s");
    assert.equal(
      renderTemplate("{{ .FormatDuration .Duration }}", sampleEvent({ durationMs: 3_723_500 })),
      "1h2m3.5s",
    );
    assert.equal(renderTemplate("{{ .Duration }}", sampleEvent({ durationMs: 300 })), "300ms");
  });

  test("times, sizes, shell escaping and JSON", () => {
    assert.equal(renderTemplate("{{ .FormatTime .CurTime }}", ev), "2024-05-01T10:00:00Z");
    assert.equal(renderTemplate("{{ .FormatSizeBytes .SnapshotStats.DataAdded }}", ev), "3.565 MB");
    assert.equal(renderTemplate("{{ .FormatSizeBytes 1048576 }}", ev), "1.049 MB");
    assert.equal(renderTemplate(`{{ .ShellEscape "it's here" }}`, ev), `'it'"'"'s here'`);
    assert.equal(renderTemplate("{{ .ShellEscape .Plan.Id }}", ev), "daily");
    assert.deepEqual(
      JSON.parse(renderTemplate("{{ .JsonMarshal .SnapshotStats }}", ev)),
      ev.summary,
    );
  });

  test(".Summary is a readable multi-line text and .Summary.X / .SnapshotStats.X read numbers", () => {
    const summary = renderTemplate("{{ .Summary }}", ev);
    assert.ok(summary.split("\n").length > 4, summary);
    assert.match(summary, /Plan: daily/);
    assert.match(summary, /Files new: 12/);
    assert.match(summary, /Data added: 3\.4 MiB/);
    assert.ok(!summary.includes("repo-pass-123"));
    assert.equal(
      renderTemplate("{{ .Summary.FilesNew }}/{{ .SnapshotStats.FilesChanged }}", ev),
      "12/3",
    );
  });

  test("Backrest's documented snapshot-end template renders", () => {
    const tmpl = [
      'Task: "{{ .Task }}" at {{ .FormatTime .CurTime }}',
      "{{ if .Error -}}",
      "Failed to create snapshot: {{ .Error }}",
      "{{ else -}}",
      "{{ if .SnapshotStats -}}",
      "Data added: {{ .FormatSizeBytes .SnapshotStats.DataAdded }}",
      "Files new: {{ .SnapshotStats.FilesNew }}",
      "{{ end }}",
      "{{- end }}",
    ].join("\n");
    assert.equal(
      renderTemplate(tmpl, ev),
      'Task: "backup for plan "daily"" at 2024-05-01T10:00:00Z\nData added: 3.565 MB\nFiles new: 12\n',
    );
    assert.equal(
      renderTemplate(tmpl, failedEvent()),
      'Task: "backup for plan "daily"" at 2024-05-01T10:00:00Z\nFailed to create snapshot: repository is locked\n',
    );
  });
});

describe("renderTemplate: control flow", () => {
  test("if / else if / else and nested ifs", () => {
    const tmpl =
      "{{ if .Error }}E:{{ .Error }}{{ else if .SnapshotId }}S{{ if gt .Summary.FilesNew 10 }}+many{{ else }}+few{{ end }}{{ else }}N{{ end }}";
    assert.equal(renderTemplate(tmpl, failedEvent()), "E:repository is locked");
    assert.equal(renderTemplate(tmpl, sampleEvent()), "S+many");
    assert.equal(renderTemplate(tmpl, sampleEvent({ summary: { filesNew: 2 } })), "S+few");
    assert.equal(renderTemplate(tmpl, sampleEvent({ snapshotId: undefined })), "N");
  });

  test("with, range, variables, $ and pipelines", () => {
    const ev = sampleEvent();
    assert.equal(
      renderTemplate("{{ with .Plan }}{{ .Id }}@{{ $.Instance }}{{ end }}", ev),
      "daily@nas-box",
    );
    assert.equal(renderTemplate("{{ with .Error }}x{{ else }}no error{{ end }}", ev), "no error");
    assert.equal(
      renderTemplate("{{ range .Plan.Paths }}- {{ . }}{{ else }}no paths{{ end }}", ev),
      "no paths",
    );
    assert.equal(renderTemplate("{{ $id := .Repo.Id }}[{{ $id }}]", ev), "[offsite]");
    assert.equal(renderTemplate('{{ .Plan.Id | printf "plan=%s" }}', ev), "plan=daily");
    assert.equal(
      renderTemplate('{{ printf "%d files, %.2f" .Summary.FilesNew 1.5 }}', ev),
      "12 files, 1.50",
    );
    assert.equal(
      renderTemplate('{{ and .SnapshotId .Plan.Id }}|{{ or .Error "none" }}|{{ not .Error }}', ev),
      "daily|none|true",
    );
  });

  test("comments and trim markers", () => {
    assert.equal(renderTemplate("a  {{- /* note */ -}}  b", sampleEvent()), "ab");
    assert.equal(renderTemplate("x\n{{- .Plan.Id -}}\ny", sampleEvent()), "xdailyy");
  });

  test("unknown fields render as empty and do not throw", () => {
    const ev = sampleEvent({ plan: undefined, summary: undefined });
    assert.equal(
      renderTemplate("[{{ .NoSuchField }}][{{ .Plan.Id }}][{{ .Repo.Nope.Deeper }}]", ev),
      "[][][]",
    );
    assert.equal(
      renderTemplate("[{{ .Summary.DataAdded }}][{{ .SnapshotStats.FilesNew }}]", ev),
      "[][]",
    );
    assert.equal(renderTemplate("{{ if .SnapshotStats }}stats{{ else }}none{{ end }}", ev), "none");
  });
});

describe("renderTemplate: malformed templates", () => {
  const cases: Array<[string, RegExp]> = [
    ["{{ if .Error }}unclosed", /line 1, column 1: \{\{if\}\} has no matching \{\{end\}\}/],
    ["ok\n  {{ .Plan.Id ", /line 2, column 3: unclosed action/],
    ["{{ end }}", /unexpected \{\{end\}\}/],
    ["{{ nosuchfunc .Error }}", /function "nosuchfunc" not defined/],
    ['{{ "abc }}', /unterminated quoted string/],
    ["{{ .FormatTime }}", /wrong number of args for FormatTime/],
    ['{{ template "x" }}', /not supported/],
  ];
  for (const [tmpl, message] of cases) {
    test(JSON.stringify(tmpl), () => {
      assert.throws(
        () => renderTemplate(tmpl, sampleEvent()),
        (err: unknown) =>
          err instanceof TemplateError && err.name === "TemplateError" && message.test(err.message),
      );
    });
  }
});

describe("defaultMessage", () => {
  test("success names plan, repo, counts, size and duration", () => {
    assert.equal(
      defaultMessage(sampleEvent()),
      "Restwell backup of plan daily to repo offsite completed: 12 files new, 3 files changed, 3.4 MiB added in 5s",
    );
  });

  test("failure carries the error", () => {
    assert.equal(
      defaultMessage(failedEvent()),
      "Restwell backup of plan daily to repo offsite failed: repository is locked",
    );
  });

  test("start and repo-level operations", () => {
    assert.equal(
      defaultMessage(
        sampleEvent({ event: "backup.started", condition: Hook_Condition.SNAPSHOT_START }),
      ),
      "Restwell backup of plan daily to repo offsite started",
    );
    const prune = sampleEvent({
      event: "prune.completed",
      condition: Hook_Condition.PRUNE_SUCCESS,
      plan: undefined,
      summary: undefined,
      durationMs: 61_400,
    });
    assert.equal(defaultMessage(prune), "Restwell prune of repo offsite completed in 1m1s");
  });
});
