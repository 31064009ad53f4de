using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Undersigned.Tests;

/// <summary>
/// The real service on a real socket, over a SQLite file in its own folder, with a clock the test moves.
/// Start another on the same folder to see what survives a restart.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-that-is-long-enough";
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public string DataDirectory { get; }
    public FakeTimeProvider Clock { get; } = new(Start);
    public ConcurrentQueue<string> Logs { get; } = new();
    readonly Dictionary<string, string?> settings;
    readonly Action<IServiceCollection>? replaceServices;

    public TestApp() : this(null) { }

    /// <param name="replaceServices">Stands in for what a test cannot make real, such as a DNS server that changes its answer.</param>
    internal TestApp(string? dataDirectory, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? replaceServices = null)
    {
        this.replaceServices = replaceServices;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        this.settings = new()
        {
            ["Undersigned:DataDirectory"] = DataDirectory,
            ["Undersigned:AdminKey"] = AdminKey,
            ["Undersigned:PublicBaseUrl"] = "http://undersigned.test",
        };
        foreach (var (key, value) in TestDatabase.KeySettings) this.settings[key] = value;
        foreach (var (key, value) in settings ?? []) this.settings[key] = value;
        // A free port chosen by the OS. Not UseKestrel(0): that rewrites the server's addresses after the app has built,
        // racing Kestrel's own bind ("Addresses cannot be modified after the server has started", dotnet/aspnetcore#67714).
        this.settings["urls"] = "http://127.0.0.1:0";
        UseKestrel();
    }

    /// <summary>The SQLite file, on SQLite runs: for what only a file shows.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "undersigned.db");

    /// <summary>A connection to this service's database, whichever engine the run tests.</summary>
    public Task<System.Data.Common.DbConnection> OpenDatabaseAsync() => TestDatabase.OpenAsync(DataDirectory);

    /// <summary>Whether anything stored holds this text (see <see cref="TestDatabase.StoresAsync"/>).</summary>
    public Task<bool> StoresAsync(string text) => TestDatabase.StoresAsync(DataDirectory, text);

    /// <summary>Waits until <paramref name="count"/> log lines match (lines logged so far count), failing after ten seconds.</summary>
    public async Task WaitForLogAsync(Func<string, bool> match, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Logs.Count(match) < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("No matching log line.");
            await logged.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>
    /// Waits until every queued email has gone and its sending is recorded (the outbox is empty), failing after thirty
    /// seconds: an email the relay has but the outbox still holds keeps its signature from expiring.
    /// </summary>
    public async Task WaitForOutboxEmptyAsync()
    {
        await using var connection = await OpenDatabaseAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE failed_at IS NULL") > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The outbox did not empty.");
            await Task.Yield();
        }
    }

    readonly SemaphoreSlim logged = new(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs, logged)));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            replaceServices?.Invoke(services);
        });
    }

    public async Task InitializeAsync()
    {
        settings.TryAdd("ConnectionStrings:Undersigned", await TestDatabase.ConnectionStringForAsync(DataDirectory));
        StartServer();
        started = true;
    }

    bool started;

    /// <summary>Stops the service; then the counts it kept must agree with its signatures, whatever the test did.</summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (started) await TestDatabase.AssertCountsMatchSignaturesAsync(settings["ConnectionStrings:Undersigned"]!);
        started = false;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public HttpClient Anonymous() => CreateClient();

    public HttpClient WithKey(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Admin() => WithKey(AdminKey);

    /// <summary>A new staff key's secret and id.</summary>
    public async Task<(string Secret, long Id)> NewKeyAsync(string role = "staff")
    {
        var response = await Admin().PostAsJsonAsync("/api/keys", new { name = $"{role} key", role });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return ((string)body!["secret"]!, (long)body["key"]!["id"]!);
    }

    public async Task<HttpClient> StaffAsync() => WithKey((await NewKeyAsync()).Secret);

    /// <summary>Creates a draft letter (closing in 30 days unless the fields say otherwise) and returns it.</summary>
    public async Task<JsonObject> CreateLetterAsync(object? fields = null)
    {
        var body = new JsonObject
        {
            ["title"] = $"Protect migrants' data {Guid.NewGuid():N}",
            ["body"] = "We, the undersigned, ask you to **protect** the data of migrants.",
            ["target"] = "The Home Secretary",
            ["closesAt"] = Clock.GetUtcNow().AddDays(30).ToString("O"),
        };
        if (fields is not null)
            foreach (var (key, value) in JsonSerializer.SerializeToNode(fields, JsonSerializerOptions.Web)!.AsObject())
                body[key] = value?.DeepClone();
        var response = await Admin().PostAsJsonAsync("/api/letters", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<JsonObject> CreatePublishedLetterAsync(object? fields = null)
    {
        var letter = await CreateLetterAsync(fields);
        var response = await Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines, SemaphoreSlim logged) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines, logged);
        public void Dispose() { }

        sealed class Logger(string category, ConcurrentQueue<string> lines, SemaphoreSlim logged) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
                logged.Release();
            }
        }
    }
}

public static class Http
{
    /// <summary>The body as JSON; read as a buffered string, so a test may read it more than once.</summary>
    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response)
        => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>The names in a problem's <c>errors</c>, after checking it is a problem with this status.</summary>
    public static async Task<string[]> ProblemAsync(this HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        return problem["errors"]!.AsArray().Select(e => (string)e!["name"]!).ToArray();
    }

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object patch, string? etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url)
        {
            Content = new StringContent(JsonSerializer.Serialize(patch), System.Text.Encoding.UTF8, "application/merge-patch+json"),
        };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request);
    }
}
