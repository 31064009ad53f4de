// Measures signing and public reads against a bare Kestrel ceiling on the same machine, with wrk, alternating runs.
// Usage: dotnet run -c Release --project tests/Undersigned.Benchmarks [-- seconds-per-run]
// On PostgreSQL: BENCH_POSTGRES='Host=…;Username=…' (a fresh database is created on that server), and BENCH_INSTANCES=2
// to run two instances on it, each loaded by half the connections.
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

var seconds = args.Length > 0 ? int.Parse(args[0]) : 10;
var here = AppContext.BaseDirectory;
var scripts = Path.GetFullPath(Path.Combine(here, "../../../"));
var work = Directory.CreateTempSubdirectory("undersigned-bench-").FullName;
const string adminKey = "benchmark-admin-key-0123456789";
var database = await Database.CreateAsync(work, Environment.GetEnvironmentVariable("BENCH_POSTGRES"));
var instances = int.Parse(Environment.GetEnvironmentVariable("BENCH_INSTANCES") ?? "1");
Console.WriteLine($"Undersigned benchmark: {Environment.ProcessorCount} cores, {seconds} s per run, wrk -t2 -c64, " +
                  $"{database.Engine} with {instances} instance(s), data in {work}");

var smtpPort = Ports.Free(); // nothing listens during the signing runs: mail waits in the outbox
using var ceiling = await Ceiling.StartAsync(Ports.Free());
var services = new List<Service>();
for (var i = 0; i < instances; i++) services.Add(await Service.StartAsync(work, database, adminKey, smtpPort));
var service = services[0];

using var admin = new HttpClient { BaseAddress = new Uri(service.Url), Timeout = TimeSpan.FromMinutes(5) };
admin.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
var created = await (await admin.PostAsJsonAsync("/api/letters", new
{
    title = "Benchmark letter", target = "The Minister", closesAt = DateTimeOffset.UtcNow.AddDays(1),
    body = string.Join("\n\n", Enumerable.Repeat("We, the undersigned, ask you to protect the personal data of migrants and the people who work with them.", 8)),
})).Content.ReadFromJsonAsync<JsonObject>();
await admin.PostAsync($"/api/letters/{created!["id"]}/publish", null);
var slug = (string)created["slug"]!;

var signPath = $"/api/public/letters/{slug}/signatures";
var readPath = $"/api/public/letters/{slug}";
var results = new List<(string Name, Wrk.Result Result)>();
for (var round = 1; round <= 2; round++)
{
    results.Add(("ceiling sign", await Wrk.RunAsync([ceiling.Url + signPath], Path.Combine(scripts, "sign.lua"), seconds)));
    results.Add(("service sign", await Wrk.RunAsync(services.Select(s => s.Url + signPath).ToList(), Path.Combine(scripts, "sign.lua"), seconds)));
}
for (var round = 1; round <= 2; round++)
{
    results.Add(("ceiling read", await Wrk.RunAsync([ceiling.Url + readPath], Path.Combine(scripts, "read.lua"), seconds)));
    results.Add(("service read", await Wrk.RunAsync(services.Select(s => s.Url + readPath).ToList(), Path.Combine(scripts, "read.lua"), seconds)));
}
var peakRss = services.Max(s => s.PeakRssMegabytes());

Console.WriteLine();
Console.WriteLine($"{"run",-14} {"req/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7}");
foreach (var (name, r) in results) Console.WriteLine($"{name,-14} {r.RequestsPerSecond,10:F0} {r.P50Ms,8:F1} {r.P99Ms,8:F1} {r.Errors,7}");
double Best(string name) => results.Where(r => r.Name == name).Max(r => r.Result.RequestsPerSecond);
Console.WriteLine();
Console.WriteLine($"signing / ceiling: {Best("service sign") / Best("ceiling sign"):F2} (target ≥ 0.15)");
Console.WriteLine($"public read / ceiling: {Best("service read") / Best("ceiling read"):F2} (target ≥ 0.5)");
Console.WriteLine($"service peak RSS under load: {peakRss:F0} MB{(instances > 1 ? " (the larger instance)" : "")} (target ≤ 300)");

// Outbox drain: restart with an SMTP server listening, and time until the outbox is empty.
foreach (var running in services) await running.StopAsync();
var queued = await OutboxCountAsync(database);
using var smtp = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{smtpPort}", "-c", "aiosmtpd.handlers.Sink"]))!;
await WaitForPortAsync(smtpPort);
var drainWatch = Stopwatch.StartNew();
services.Clear();
for (var i = 0; i < instances; i++) services.Add(await Service.StartAsync(work, database, adminKey, smtpPort));
long left;
// The drain is measured from outside, as an operator would watch it: the outbox's row count, read ten times a second.
while ((left = await OutboxCountAsync(database)) > 0 && drainWatch.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(100);
drainWatch.Stop();
Console.WriteLine($"outbox drain: {queued - left} emails in {drainWatch.Elapsed.TotalSeconds:F1} s (incl. start-up) = {(queued - left) / drainWatch.Elapsed.TotalSeconds:F0} emails/s (target ≥ 500)");
foreach (var running in services) await running.StopAsync();
smtp.Kill();
if (database.Engine == "PostgreSQL")
{
    Console.WriteLine("CSV export: measured on SQLite (the export streams the same keyset batches on both engines)");
    return;
}

// A 1M-signature CSV export: seed the rows directly, restart so peak RSS is the export's own, stream it to nowhere.
const int exportRows = 1_000_000;
var exportLetter = (long)created["id"]!;
var seedWatch = Stopwatch.StartNew();
await using (var connection = new SqliteConnection($"Data Source={Path.Combine(work, "undersigned.db")}"))
{
    await connection.OpenAsync();
    await using var tx = connection.BeginTransaction();
    await using var insert = connection.CreateCommand();
    insert.Transaction = tx;
    insert.CommandText = """
        INSERT INTO signatures (letter_id, kind, status, name, role, organisation, show_name, text_version, signed_at, confirmed_at)
        VALUES ($letter, 'individual', 'confirmed', $name, 'Caseworker', 'Refugee Legal Group UK', 1, 1, 1700000000000, 1700000000000)
        """;
    var letterParameter = insert.Parameters.Add("$letter", SqliteType.Integer);
    var nameParameter = insert.Parameters.Add("$name", SqliteType.Text);
    insert.Prepare();
    letterParameter.Value = exportLetter;
    for (var i = 0; i < exportRows; i++)
    {
        nameParameter.Value = $"Signer Number {i}";
        await insert.ExecuteNonQueryAsync();
    }
    await tx.CommitAsync();
}
Console.WriteLine($"seeded {exportRows:N0} confirmed signatures in {seedWatch.Elapsed.TotalSeconds:F1} s");
service = await Service.StartAsync(work, database, adminKey, smtpPort);
var exportWatch = Stopwatch.StartNew();
using (var response = await admin.GetAsync(new Uri(new Uri(service.Url), $"/api/letters/{exportLetter}/export.csv"), HttpCompletionOption.ResponseHeadersRead))
{
    await using var body = await response.Content.ReadAsStreamAsync();
    var buffer = new byte[81920];
    long bytes = 0;
    int read;
    while ((read = await body.ReadAsync(buffer)) > 0) bytes += read;
    exportWatch.Stop();
    Console.WriteLine($"CSV export: {bytes / 1e6:F0} MB ({exportRows:N0}+ rows) in {exportWatch.Elapsed.TotalSeconds:F1} s, service peak RSS {service.PeakRssMegabytes():F0} MB (targets ≤ 10 s, ≤ 100 MB)");
}
await service.StopAsync();

static async Task<long> OutboxCountAsync(Database database)
{
    await using var connection = await database.OpenAsync();
    return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox");
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

sealed class Service
{
    public required string Url { get; init; }
    public required Process Process { get; init; }

    public static async Task<Service> StartAsync(string work, Database database, string adminKey, int smtpPort)
    {
        var port = Ports.Free();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Undersigned.dll")])
        {
            WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ConnectionStrings__Undersigned"] = database.ConnectionString;
        start.Environment["Undersigned__DataKey"] = Convert.ToBase64String(new byte[32]); // instances share one key
        start.Environment["Undersigned__DataDirectory"] = work;
        start.Environment["Undersigned__AdminKey"] = adminKey;
        start.Environment["Undersigned__PublicBaseUrl"] = "http://undersigned.test";
        start.Environment["Undersigned__KnownProxies"] = "127.0.0.1";
        if (Environment.GetEnvironmentVariable("SKIP_WRITER") is { } skip) start.Environment["SKIP_WRITER"] = skip;
        start.Environment["Undersigned__Smtp__Host"] = "127.0.0.1";
        start.Environment["Undersigned__Smtp__Port"] = smtpPort.ToString();
        start.Environment["Undersigned__Smtp__Security"] = "None";
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
    public sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors);

    /// <summary>64 connections in all, shared between the URLs (one wrk each, at once); req/s add up, latencies are the worst.</summary>
    public static async Task<Result> RunAsync(IReadOnlyList<string> urls, string script, int seconds)
    {
        var runs = await Task.WhenAll(urls.Select(async (url, i) =>
        {
            var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t2", $"-c{64 / urls.Count}", $"-d{seconds}s", "-s", script, url, "--", i.ToString()])
            {
                RedirectStandardOutput = true,
            })!;
            var output = await wrk.StandardOutput.ReadToEndAsync();
            await wrk.WaitForExitAsync();
            var parts = output.Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ').Skip(1).Select(long.Parse).ToArray();
            var (requests, durationUs, p50, p99, statusErrors, socketErrors) = (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
            return new Result(requests / (durationUs / 1e6), p50 / 1000.0, p99 / 1000.0, statusErrors + socketErrors);
        }));
        return new Result(runs.Sum(r => r.RequestsPerSecond), runs.Max(r => r.P50Ms), runs.Max(r => r.P99Ms), runs.Sum(r => r.Errors));
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
