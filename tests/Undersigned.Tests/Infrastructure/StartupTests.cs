using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Tests.Infrastructure;

public sealed class StartupTests
{
#if !POSTGRES // the SQLite file is the database
    [Fact]
    public async Task The_database_file_and_its_folder_are_the_service_users_only()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        var folder = Path.Combine(directory, "db");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101); // 0755, as a folder made by hand
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Undersigned"] = $"Data Source={Path.Combine(folder, "undersigned.db")}" };
        await using var app = new TestApp(directory, settings);
        await app.InitializeAsync();
        await app.CreatePublishedLetterAsync(); // writes, so the WAL and its index exist
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(folder));
        foreach (var file in new[] { "undersigned.db", "undersigned.db-wal", "undersigned.db-shm" })
            Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(folder, file)));
    }
#endif

    public static TheoryData<string, string, string> BadConfigurations => new()
    {
        { "Undersigned:PublicBaseUrl", "", "Undersigned__PublicBaseUrl" },
        { "Undersigned:PublicBaseUrl", "not a url", "Undersigned__PublicBaseUrl" },
        { "Undersigned:AllowHttpPublicBaseUrl", "false", "Undersigned__AllowHttpPublicBaseUrl" }, // http://undersigned.test in Production
        { "Undersigned:DataKey", "not-base64!", "Undersigned__DataKey" },
        { "Undersigned:KnownProxies", "proxy.example", "Undersigned__KnownProxies" },
        { "ConnectionStrings:Undersigned", "Data Source=x.db;Bogus Keyword=1", "ConnectionStrings__Undersigned" },
        { "Undersigned:AdminKey", "short", "Undersigned__AdminKey" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task A_configuration_error_is_one_line_on_stderr_naming_the_setting_and_exit_code_1(string setting, string value, string named)
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        var (exitCode, errors) = await ServiceProcess.FailToStartAsync(directory, new() { [setting] = value });
        Assert.Equal(1, exitCode);
        Assert.Contains(named, Assert.Single(errors));
    }

    [Fact]
    public async Task A_database_that_does_not_answer_is_waited_for_then_named_in_one_line()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop(); // nothing listens there
        var (exitCode, errors) = await ServiceProcess.FailToStartAsync(directory, new()
        {
            ["ConnectionStrings:Undersigned"] = $"Host=127.0.0.1;Port={port};Database=none;Username=none;Timeout=1",
            ["Undersigned:DataKey"] = Convert.ToBase64String(new byte[32]), ["Undersigned:StartupDatabaseWaitSeconds"] = "2",
        });
        Assert.Equal(1, exitCode);
        Assert.Contains("Undersigned__StartupDatabaseWaitSeconds", Assert.Single(errors));
    }

    [Fact]
    public async Task A_database_a_newer_version_upgraded_stops_start_up_saying_which_migration()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        await using (var first = new TestApp(directory)) await first.InitializeAsync();
        await using (var connection = await TestDatabase.OpenAsync(directory))
            await connection.ExecuteAsync("INSERT INTO schema_migrations (name, sha256, applied_at) VALUES ('9999_from_the_future.sql', 'x', 0)");
        var (exitCode, errors) = await ServiceProcess.FailToStartAsync(directory, []);
        Assert.Equal(1, exitCode);
        Assert.Contains("9999_from_the_future.sql", Assert.Single(errors));
    }

    [Fact]
    public async Task A_restart_keeps_data_and_applies_no_migration_twice()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        long id;
        await using (var first = new TestApp(directory))
        {
            await first.InitializeAsync();
            id = (long)(await first.CreatePublishedLetterAsync())["id"]!;
        }
        var applied = await MigrationsAsync(directory);

        await using var second = new TestApp(directory);
        await second.InitializeAsync();
        var letter = await (await second.Admin().GetAsync($"/api/letters/{id}")).JsonAsync();
        Assert.Equal(1, (int)letter["textVersion"]!);
        Assert.Equal(applied, await MigrationsAsync(directory));
        Assert.DoesNotContain(second.Logs, line => line.Contains("Applied migration"));
    }

    [Fact]
    public async Task Started_from_another_folder_it_logs_no_line_per_request_and_warns_when_mail_only_goes_to_a_folder()
    {
        // As a service manager may start it: `dotnet /app/Undersigned.dll` from a working directory without appsettings.json.
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        var service = await ServiceProcess.StartAsync(directory, []);
        await using (service)
        {
            using var client = service.Client();
            for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/letters")).StatusCode);
            await service.StopAsync();
        }

        Assert.Contains(service.Output, line => line.Contains("Application is shutting down")); // the log was read to its end
        Assert.Contains(service.Output, line => line.Contains("No mail is sent")); // Production, with neither SMTP nor a chosen folder
        Assert.DoesNotContain(service.Output, line => line.Contains("Request starting") || line.Contains("Request finished")
                                                      || line.Contains("Executing endpoint"));
    }

    [Fact]
    public async Task A_service_key_the_database_was_not_encrypted_with_stops_start_up()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        var key = new Dictionary<string, string?> { ["Undersigned:DataKey"] = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()) };
        await using (var first = new TestApp(directory, key)) await first.InitializeAsync();

        var other = new Dictionary<string, string?> { ["Undersigned:DataKey"] = Convert.ToBase64String(Enumerable.Repeat((byte)2, 32).ToArray()) };
        await using var second = new TestApp(directory, other);
        var error = await Assert.ThrowsAnyAsync<Exception>(second.InitializeAsync);
        Assert.Contains("is not the one this database's data is encrypted with", error.ToString());
    }

    [Fact]
    public async Task A_changed_applied_migration_stops_start_up_and_says_which()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        var migrations = Path.Combine(directory, "migrations");
        Directory.CreateDirectory(migrations);
        foreach (var engine in new[] { "sqlite", "postgres" })
        {
            Directory.CreateDirectory(Path.Combine(migrations, engine));
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "migrations", engine)))
                File.Copy(file, Path.Combine(migrations, engine, Path.GetFileName(file)));
        }
        var settings = new Dictionary<string, string?> { ["Undersigned:MigrationsDirectory"] = migrations };

        await using (var first = new TestApp(directory, settings)) await first.InitializeAsync();
        foreach (var engine in new[] { "sqlite", "postgres" })
            File.AppendAllText(Path.Combine(migrations, engine, "0001_foundation.sql"), "\n-- an edit after the fact\n");

        await using var second = new TestApp(directory, settings);
        var error = await Assert.ThrowsAnyAsync<Exception>(second.InitializeAsync);
        Assert.Contains("0001_foundation.sql has changed since it was applied", error.ToString());
    }

    [Fact]
    public async Task Without_a_configured_admin_key_one_is_written_to_an_owner_only_file_and_never_logged()
    {
        await using var app = new TestApp(null, new() { ["Undersigned:AdminKey"] = null });
        await app.InitializeAsync();
        var path = Path.Combine(app.DataDirectory, "admin-key");
        var key = File.ReadAllText(path).Trim();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(HttpStatusCode.OK, (await app.WithKey(key).GetAsync("/api/keys")).StatusCode);
        Assert.Contains(app.Logs, line => line.Contains(path));
        Assert.DoesNotContain(app.Logs, line => line.Contains(key));
    }

    [Fact]
    public async Task Healthz_answers_when_the_database_does()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var response = await app.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (string?)(await response.JsonAsync())["status"]);
    }

    static async Task<List<string>> MigrationsAsync(string directory)
    {
        await using var connection = await TestDatabase.OpenAsync(directory);
        return (await connection.QueryAsync<string>("SELECT name || ':' || sha256 || ':' || applied_at FROM schema_migrations")).ToList();
    }
}
