// Measures signing and public reads against a bare Kestrel ceiling on the same machine, with wrk, alternating runs:
// with mail flowing to a real SMTP server on loopback and to the pickup folder, on an empty letter and on one holding
// 1,000,000 signatures written through the store; then a 256-connection spike, the outbox drain and a 1M-row CSV export.
// Usage: dotnet run -c Release --project tests/Undersigned.Benchmarks [-- seconds-per-run]
// On PostgreSQL: BENCH_POSTGRES='Host=…;Username=…' (a fresh database is created on that server), and BENCH_INSTANCES=2
// to run two instances on it, each loaded by half the connections. BENCH_PRELOAD sets the pre-loaded rows (1,000,000).
// BENCH_METRICS=off runs the service with metrics off (Undersigned__Metrics__Enabled=false), to measure what they cost.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

var seconds = args.Length > 0 ? int.Parse(args[0]) : 10;
var preload = int.Parse(Environment.GetEnvironmentVariable("BENCH_PRELOAD") ?? "1000000");
var here = AppContext.BaseDirectory;
var scripts = Path.GetFullPath(Path.Combine(here, "../../../"));
var work = Directory.CreateTempSubdirectory("undersigned-bench-").FullName;
const string adminKey = "benchmark-admin-key-0123456789";
var database = await Database.CreateAsync(work, Environment.GetEnvironmentVariable("BENCH_POSTGRES"));
var instances = int.Parse(Environment.GetEnvironmentVariable("BENCH_INSTANCES") ?? "1");
var metrics = Environment.GetEnvironmentVariable("BENCH_METRICS") != "off";
Console.WriteLine($"Undersigned benchmark: {Environment.ProcessorCount} cores, {seconds} s per run, wrk -t2 -c64, " +
                  $"{database.Engine} with {instances} instance(s), metrics {(metrics ? "on" : "off")}, data in {work}");

// Every email that arrives, at the SMTP server or in the pickup folder, is counted as it comes: draining is awaited, not polled.
var delivered = new MailCount();
long preloadedRows = 0;

// A real SMTP server on loopback that accepts everything and says "1" for each message, up for the whole benchmark.
var smtpPort = Ports.Free();
File.WriteAllText(Path.Combine(work, "counting_sink.py"), """
    class CountingSink:
        async def handle_DATA(self, server, session, envelope):
            print(1, flush=True)
            return "250 OK"
    """);
using var smtp = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{smtpPort}", "-c", "counting_sink.CountingSink"])
{
    WorkingDirectory = work, RedirectStandardOutput = true, Environment = { ["PYTHONPATH"] = work },
})!;
smtp.OutputDataReceived += (_, line) => { if (line.Data == "1") delivered.Add(); };
smtp.BeginOutputReadLine();
await WaitForPortAsync(smtpPort);

// The pickup folder: whole messages appear by a rename to .eml. Should the watcher's buffer overflow, the folder is counted.
var pickup = Directory.CreateDirectory(Path.Combine(work, "mail")).FullName;
using var pickupWatcher = new FileSystemWatcher(pickup) { InternalBufferSize = 64 * 1024, NotifyFilter = NotifyFilters.FileName };
pickupWatcher.Renamed += (_, e) => { if (e.FullPath.EndsWith(".eml")) delivered.Add(); };
pickupWatcher.Error += (_, _) => delivered.Recount(Directory.EnumerateFiles(pickup, "*.eml").LongCount());
pickupWatcher.EnableRaisingEvents = true;
using var ceiling = await Ceiling.StartAsync(Ports.Free());
var mailModes = new[] { Mail.Smtp, Mail.Pickup };
var results = new List<(string Name, Wrk.Result Result)>();
var accepted = new Dictionary<long, long>(); // letter id → 202 answers
var peakRss = 0.0;
string? metricsKey = null;
var writerSeen = new Dictionary<string, (double Seconds, double Writes, double Batches)>(); // by service URL

async Task<List<Service>> StartAsync(Mail mail)
{
    var started = new List<Service>();
    writerSeen.Clear();
    for (var i = 0; i < instances; i++) started.Add(await Service.StartAsync(work, database, adminKey, smtpPort, mail));
    return started;
}

async Task StopAsync(List<Service> services)
{
    peakRss = Math.Max(peakRss, services.Max(s => s.PeakRssMegabytes()));
    foreach (var service in services) await service.StopAsync();
}

async Task<JsonObject> LetterAsync(Service service, string title)
{
    using var admin = Admin(service);
    var created = await (await admin.PostAsJsonAsync("/api/letters", new
    {
        title, target = "The Minister", closesAt = DateTimeOffset.UtcNow.AddDays(1),
        body = string.Join("\n\n", Enumerable.Repeat("We, the undersigned, ask you to protect the personal data of migrants and the people who work with them.", 8)),
    })).Content.ReadFromJsonAsync<JsonObject>();
    return (await (await admin.PostAsync($"/api/letters/{created!["id"]}/publish", null)).Content.ReadFromJsonAsync<JsonObject>())!;
}

HttpClient Admin(Service service)
{
    var client = new HttpClient { BaseAddress = new Uri(service.Url), Timeout = TimeSpan.FromMinutes(5) };
    client.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
    return client;
}

// Three rounds of signing, each after a ceiling round, then waits (a minute at most) for the mail to go.
async Task SignRoundsAsync(List<Service> services, JsonObject letter, string label)
{
    var path = $"/api/public/letters/{letter["slug"]}/signatures";
    for (var round = 1; round <= 3; round++)
    {
        results.Add(($"ceiling sign", await Wrk.RunAsync([ceiling.Url + path], Path.Combine(scripts, "sign.lua"), seconds, 64)));
        var run = await Wrk.RunAsync(services.Select(s => s.Url + path).ToList(), Path.Combine(scripts, "sign.lua"), seconds, 64);
        results.Add(($"sign {label}", run));
        accepted[(long)letter["id"]!] = accepted.GetValueOrDefault((long)letter["id"]!) + run.Accepted;
        if (metrics) Console.WriteLine($"  writer, round {round}: {await WriterTimeAsync(services)}");
        await DrainAsync($"{label}, round {round}");
    }
}

// The writer's own time per write, from its metrics since the last look: what the set path is meant to shrink.
async Task<string> WriterTimeAsync(List<Service> services)
{
    if (metricsKey is null)
    {
        using var admin = Admin(services[0]);
        var created = await (await admin.PostAsJsonAsync("/api/keys", new { name = "benchmark metrics", role = "metrics" })).Content.ReadFromJsonAsync<JsonObject>();
        metricsKey = (string)created!["secret"]!;
    }
    double seconds = 0, writes = 0, batches = 0;
    foreach (var service in services)
    {
        using var client = new HttpClient { BaseAddress = new Uri(service.Url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", metricsKey);
        var text = await client.GetStringAsync("/metrics");
        double Sum(string name) => text.Split('\n').Where(l => l.StartsWith(name + " ") || l.StartsWith(name + "{"))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var now = (Sum("undersigned_writer_commit_duration_seconds_sum"), Sum("undersigned_writer_batch_size_sum"), Sum("undersigned_writer_batch_size_count"));
        var before = writerSeen.GetValueOrDefault(service.Url);
        writerSeen[service.Url] = now;
        seconds += now.Item1 - before.Seconds;
        writes += now.Item2 - before.Writes;
        batches += now.Item3 - before.Batches;
    }
    return writes == 0 ? "no writes recorded"
        : $"{seconds / writes * 1e6:F0} µs per write, {writes / Math.Max(batches, 1):F0} writes per batch, busy {seconds / instances:F1} s of the round";
}

async Task DrainAsync(string label)
{
    var watch = Stopwatch.StartNew();
    var queued = await CountAsync(database, "outbox");
    // Every signer here is new, so each signature sends one email: the mail has all gone when as many emails have
    // arrived as there are signatures (less the pre-loaded, whose emails were removed).
    var expected = await CountAsync(database, "signatures") - preloadedRows;
    await delivered.ReachesAsync(expected, TimeSpan.FromMinutes(1));
    watch.Stop();
    var left = Math.Max(0, expected - delivered.Count);
    Console.WriteLine($"  outbox after {label}: {queued} queued when the load stopped, {queued - left} arrived in {watch.Elapsed.TotalSeconds:F2} s " +
                      $"= {(queued - left) / Math.Max(watch.Elapsed.TotalSeconds, 0.001):F0} emails/s{(left > 0 ? $", {left} still queued after a minute" : "")}");
}

// Empty letters, one per mail mode.
foreach (var mail in mailModes)
{
    var services = await StartAsync(mail);
    var letter = await LetterAsync(services[0], $"Empty letter, mail by {mail}");
    Console.WriteLine($"signing an empty letter, mail by {mail}");
    await SignRoundsAsync(services, letter, $"empty, {mail}");
    if (mail == Mail.Smtp)
    {
        var readPath = $"/api/public/letters/{letter["slug"]}";
        for (var round = 1; round <= 2; round++)
        {
            results.Add(("ceiling read", await Wrk.RunAsync([ceiling.Url + readPath], Path.Combine(scripts, "read.lua"), seconds, 64)));
            results.Add(("read", await Wrk.RunAsync(services.Select(s => s.Url + readPath).ToList(), Path.Combine(scripts, "read.lua"), seconds, 64)));
        }
    }
    await StopAsync(services);
}

// A letter holding 1,000,000 signatures, written through the store as signing writes them, then confirmed.
JsonObject big;
{
    var services = await StartAsync(Mail.Smtp);
    big = await LetterAsync(services[0], "Preloaded letter");
    await StopAsync(services);
    var watch = Stopwatch.StartNew();
    await Preload.RunAsync(database, (long)big["id"]!, preload);
    preloadedRows = preload;
    Console.WriteLine($"pre-loaded {preload:N0} confirmed signatures through the store in {watch.Elapsed.TotalSeconds:F0} s");
}
foreach (var mail in mailModes)
{
    var services = await StartAsync(mail);
    Console.WriteLine($"signing a letter holding {preload:N0}, mail by {mail}");
    await SignRoundsAsync(services, big, $"{preload / 1000}k, {mail}");
    if (mail == Mail.Smtp)
    {
        // A spike beyond capacity: 256 connections for one round.
        var path = $"/api/public/letters/{big["slug"]}/signatures";
        var spike = await Wrk.RunAsync(services.Select(s => s.Url + path).ToList(), Path.Combine(scripts, "sign.lua"), seconds, 256);
        results.Add(("sign 256 conns", spike));
        accepted[(long)big["id"]!] += spike.Accepted;
        await DrainAsync("the 256-connection round");
    }
    await StopAsync(services);
}

Console.WriteLine();
Console.WriteLine($"{"run",-22} {"req/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"202s",8}");
foreach (var (name, r) in results) Console.WriteLine($"{name,-22} {r.RequestsPerSecond,10:F0} {r.P50Ms,8:F1} {r.P99Ms,8:F1} {r.Errors,7} {r.Accepted,8}");
Console.WriteLine();
// Each service round against the ceiling round just before it; the median of the three.
double MedianRatio(string name)
{
    var ratios = results.Select((r, i) => (r, i)).Where(x => x.r.Name == name)
        .Select(x => x.r.Result.RequestsPerSecond / results[x.i - 1].Result.RequestsPerSecond).Order().ToList();
    return ratios[ratios.Count / 2];
}
foreach (var mail in mailModes)
{
    var empty = MedianRatio($"sign empty, {mail}");
    var full = MedianRatio($"sign {preload / 1000}k, {mail}");
    Console.WriteLine($"signing / ceiling, mail by {mail}: {empty:F3} empty, {full:F3} at {preload:N0} rows ({(full / empty - 1) * 100:+0;-0} %; targets ≥ 0.15, within 10 %)");
}
Console.WriteLine($"signing p99, worst 64-connection round: {results.Where(r => r.Name.StartsWith("sign ") && r.Name != "sign 256 conns").Max(r => r.Result.P99Ms):F0} ms (target ≤ 50)");
Console.WriteLine($"public read / ceiling: {MedianRatio("read"):F2} (target ≥ 0.5)");
Console.WriteLine($"service peak RSS under load: {peakRss:F0} MB{(instances > 1 ? " (the larger instance)" : "")} (target ≤ 300)");
await using (var connection = await database.OpenAsync())
    foreach (var (letterId, answered) in accepted)
    {
        var stored = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signatures WHERE letter_id = @letterId", new { letterId })
                     - (letterId == (long)big["id"]! ? preload : 0);
        // wrk stops with requests in flight: those may be stored though their 202 was never counted, at most one per
        // connection a round. Fewer rows than 202s would be a loss.
        var inFlight = stored - answered;
        Console.WriteLine($"letter {letterId}: {answered} answered 202, {stored} stored: " +
                          (inFlight < 0 ? $"{-inFlight} LOST" : $"nothing lost ({inFlight} more stored: in flight when wrk stopped)"));
    }

// The staff CSV of the preloaded letter: restart so peak RSS is the export's own, stream it to nowhere.
{
    var service = await Service.StartAsync(work, database, adminKey, smtpPort, Mail.Smtp);
    using var admin = Admin(service);
    var exportWatch = Stopwatch.StartNew();
    using var response = await admin.GetAsync($"/api/letters/{big["id"]}/export.csv", HttpCompletionOption.ResponseHeadersRead);
    await using var body = await response.Content.ReadAsStreamAsync();
    var buffer = new byte[81920];
    long bytes = 0;
    int read;
    while ((read = await body.ReadAsync(buffer)) > 0) bytes += read;
    exportWatch.Stop();
    Console.WriteLine($"CSV export: {bytes / 1e6:F0} MB ({preload:N0}+ rows) in {exportWatch.Elapsed.TotalSeconds:F1} s, service peak RSS {service.PeakRssMegabytes():F0} MB (targets ≤ 10 s, ≤ 100 MB)");
    await service.StopAsync();
}
smtp.Kill();

static async Task<long> CountAsync(Database database, string table)
{
    await using var connection = await database.OpenAsync();
    return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
}

// aiosmtpd says nothing when it listens: try to connect until it answers (refusals come back at once), ten seconds at most.
static async Task WaitForPortAsync(int port)
{
    var deadline = DateTime.UtcNow.AddSeconds(10);
    while (true)
    {
        try { using var c = new TcpClient(); await c.ConnectAsync(IPAddress.Loopback, port); return; }
        catch (SocketException) when (DateTime.UtcNow < deadline) { await Task.Yield(); }
    }
}

/// <summary>A running count of arrived emails that can be awaited.</summary>
sealed class MailCount
{
    long count;
    TaskCompletionSource arrived = NewSignal();

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Count => Interlocked.Read(ref count);

    public void Add()
    {
        Interlocked.Increment(ref count);
        Signal();
    }

    /// <summary>Takes the count from the folder itself, after the watcher lost events.</summary>
    public void Recount(long files)
    {
        Interlocked.Exchange(ref count, files);
        Signal();
    }

    void Signal() => Interlocked.Exchange(ref arrived, NewSignal()).TrySetResult();

    /// <summary>Waits until <paramref name="target"/> have arrived, or the time is up.</summary>
    public async Task ReachesAsync(long target, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var signal = Volatile.Read(ref arrived); // taken before the count is read, so an arrival in between completes it
            var left = within - watch.Elapsed;
            if (Count >= target || left <= TimeSpan.Zero) return;
            try { await signal.Task.WaitAsync(left); }
            catch (TimeoutException) { return; }
        }
    }
}

sealed class Service
{
    public required string Url { get; init; }
    public required Process Process { get; init; }

    public static async Task<Service> StartAsync(string work, Database database, string adminKey, int smtpPort, Mail mail)
    {
        var port = Ports.Free();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Undersigned.dll")])
        {
            WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (Environment.GetEnvironmentVariable("BENCH_METRICS") == "off") start.Environment["Undersigned__Metrics__Enabled"] = "false";
        start.Environment["ConnectionStrings__Undersigned"] = database.ConnectionString;
        start.Environment["Undersigned__DataKey"] = Convert.ToBase64String(new byte[32]); // instances share one key
        start.Environment["Undersigned__DataDirectory"] = work;
        start.Environment["Undersigned__AdminKey"] = adminKey;
        start.Environment["Undersigned__PublicBaseUrl"] = "https://undersigned.test";
        start.Environment["Undersigned__KnownProxies"] = "127.0.0.1";
        if (mail == Mail.Smtp)
        {
            start.Environment["Undersigned__Smtp__Host"] = "127.0.0.1";
            start.Environment["Undersigned__Smtp__Port"] = smtpPort.ToString();
            start.Environment["Undersigned__Smtp__Security"] = "None";
        }
        else start.Environment["Undersigned__Mail__PickupDirectory"] = Path.Combine(work, "mail");
        var process = Process.Start(start)!;
        // Ready when the host says so (its lifetime messages stay at Information whatever the default level), not by polling.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Application started") == true) started.TrySetResult(); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException("The service exited while starting."));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var url = $"http://127.0.0.1:{port}";
        using var client = new HttpClient();
        if ((await client.GetAsync(url + "/healthz")).IsSuccessStatusCode) return new Service { Url = url, Process = process };
        throw new InvalidOperationException("The service did not start.");
    }

    public double PeakRssMegabytes()
        => File.ReadAllLines($"/proc/{Process.Id}/status").Where(l => l.StartsWith("VmHWM:"))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0).Single();

    public async Task StopAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }
}

/// <summary>The ceiling: bare Kestrel that parses and checks the same JSON body and answers 202, and serves a letter-sized JSON.</summary>
sealed class Ceiling : IDisposable
{
    public required string Url { get; init; }
    public required WebApplication App { get; init; }

    sealed record Body(string? Kind, string? Name, string? Role, string? Organisation, string? Email, bool? ShowName, bool? Consent, int? TextVersion);

    public static async Task<Ceiling> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var accepted = JsonSerializer.SerializeToUtf8Bytes(new { status = "received", message = "Thank you. Check your email and confirm your signature with the link we sent." });
        var letter = JsonSerializer.SerializeToUtf8Bytes(new
        {
            slug = "benchmark-letter", title = "Benchmark letter", body = new string('x', 900), bodyHtml = new string('x', 950), target = "The Minister",
            status = "open", closesAt = DateTimeOffset.UtcNow, timeZone = "Europe/London", textVersion = 1, consentText = new string('x', 230),
            counts = new { organisations = 0, individuals = 0, notNamed = 0, total = 0 },
        });
        app.MapPost("/api/public/letters/{slug}/signatures", async (HttpContext http) =>
        {
            var body = await http.Request.ReadFromJsonAsync<Body>();
            if (body?.Email is null || body.Name is null || body.Consent != true) return Results.BadRequest();
            http.Response.StatusCode = 202;
            return Results.Bytes(accepted, "application/json");
        });
        app.MapGet("/api/public/letters/{slug}", () => Results.Bytes(letter, "application/json"));
        await app.StartAsync();
        return new Ceiling { Url = $"http://127.0.0.1:{port}", App = app };
    }

    public void Dispose() => App.StopAsync().GetAwaiter().GetResult();
}

static class Wrk
{
    public sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, long Accepted);

    /// <summary>The connections shared between the URLs (one wrk each, at once); req/s and 202s add up, latencies are the worst.</summary>
    static int started;

    public static async Task<Result> RunAsync(IReadOnlyList<string> urls, string script, int seconds, int connections)
    {
        var runs = await Task.WhenAll(urls.Select(async url =>
        {
            // Every wrk starts the same random sequence: a tag of its own keeps its addresses apart from every other run's.
            var tag = Interlocked.Increment(ref started).ToString();
            var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t2", $"-c{connections / urls.Count}", $"-d{seconds}s", "-s", script, url, "--", tag])
            {
                RedirectStandardOutput = true,
            })!;
            var output = await wrk.StandardOutput.ReadToEndAsync();
            await wrk.WaitForExitAsync();
            var parts = output.Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ').Skip(1).Select(long.Parse).ToArray();
            if (output.Split('\n').FirstOrDefault(l => l.StartsWith("OTHER ")) is { } other)
                Console.WriteLine($"  answers other than 202: {string.Join(", ", other.Split(' ').Skip(1).CountBy(s => s).Select(c => $"{c.Value} × {c.Key}"))}");
            var (requests, durationUs, p50, p99, statusErrors, socketErrors, accepted) = (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]);
            return new Result(requests / (durationUs / 1e6), p50 / 1000.0, p99 / 1000.0, statusErrors + socketErrors, accepted);
        }));
        return new Result(runs.Sum(r => r.RequestsPerSecond), runs.Max(r => r.P50Ms), runs.Max(r => r.P99Ms), runs.Sum(r => r.Errors), runs.Sum(r => r.Accepted));
    }
}

static class Ports
{
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>The benchmark's database: a SQLite file in its folder, or a fresh database on the PostgreSQL server given.</summary>
sealed record Database(string Engine, string ConnectionString)
{
    public static async Task<Database> CreateAsync(string work, string? postgres)
    {
        if (postgres is null) return new("SQLite", $"Data Source={Path.Combine(work, "undersigned.db")}");
        var name = $"bench_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(postgres))
        {
            await server.OpenAsync();
            await server.ExecuteAsync($"CREATE DATABASE {name}");
        }
        return new("PostgreSQL", new NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString);
    }

    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = Engine == "PostgreSQL" ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

enum Mail { Smtp, Pickup }

/// <summary>Signatures written as the signing path writes them (through the store: HMACs, encrypted emails, tokens, every index), then confirmed.</summary>
static class Preload
{

    public static async Task RunAsync(Database database, long letterId, int count)
    {
        // Confirming a million rows in one statement outlasts Npgsql's default 30 s command timeout.
        await using var db = new Db(database.Engine == "PostgreSQL"
            ? new NpgsqlConnectionStringBuilder(database.ConnectionString) { CommandTimeout = 0 }.ConnectionString
            : database.ConnectionString);
        var keys = new ServiceKeys(new byte[32]); // the key the services are started with
        var letterKeys = new LetterKeys(db, keys, new ChangeNotices(db));
        var (outbox, webhooks, erasures) = (new OutboxStore(db), new WebhooksStore(db), new ErasureRecord(db, new Settings { DataDirectory = Path.GetTempPath() }));
        var milestones = new MilestoneNotices(new LettersStore(db, letterKeys, new ChangeNotices(db), webhooks, erasures), letterKeys, outbox, webhooks,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MilestoneNotices>.Instance);
        var signatures = new SignaturesStore(db, keys, letterKeys, outbox, new AuditStore(db), webhooks, milestones, erasures, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        // Through the writer's set path, 512 at a time as the writer takes them, 10,000 to a transaction.
        for (var written = 0; written < count;)
        {
            await using var tx = await db.BeginWriteAsync();
            for (var inTx = 0; inTx < 10_000 && written < count;)
            {
                var drafts = Enumerable.Range(written, Math.Min(Undersigned.Services.GroupCommit.MaxBatch, count - written)).Select(n => new SignatureDraft(letterId,
                    SignatureKind.Individual, $"Preloaded Signer {n}", "Caseworker", "Refugee Legal Group UK", $"preloaded-{n:D9}@example.org",
                    ShowName: true, TextVersion: 1, ConsentVersion: 1)).ToList();
                await signatures.SignSetAsync(tx, drafts, now);
                written += drafts.Count;
                inTx += drafts.Count;
            }
            await tx.CommitAsync();
        }
        // Their confirmation emails and today's mail counts are not part of the measure.
        await using (var cleanup = await db.BeginWriteAsync())
        {
            await cleanup.ExecuteAsync("DELETE FROM outbox WHERE letter_id = @letterId", new { letterId });
            await cleanup.ExecuteAsync("DELETE FROM mail_caps");
            await cleanup.CommitAsync();
        }
        // Confirmed 10,000 at a time: on PostgreSQL every row's count trigger updates the same few counter rows, and a
        // transaction that updates one row a million times slows with every version it leaves behind.
        for (long confirmed = 1; confirmed > 0;)
        {
            await using var confirm = await db.BeginWriteAsync();
            confirmed = await confirm.ExecuteAsync("""
                UPDATE signatures SET status = 'confirmed', confirmed_at = signed_at
                WHERE id IN (SELECT id FROM signatures WHERE letter_id = @letterId AND status = 'pending' LIMIT 10000)
                """, new { letterId });
            await confirm.CommitAsync();
        }
    }
}
