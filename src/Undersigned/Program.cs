using Undersigned.Domain;
using Undersigned.Features;
using Undersigned.Infrastructure;
using Undersigned.Services;
using Undersigned.Services.Abuse;
using Undersigned.Services.Mail;
using Undersigned.Services.Webhooks;

// Configuration is read once: watching the content root for appsettings changes would also wake on every write to
// the database, its WAL and the mail pickup folder beneath it (a file-system event per signature, measured at more
// CPU than the whole HTTP pipeline under load).
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]).UseServiceDefaults();
builder.Services
    .AddDatabase()             // Infrastructure/Hosting.cs: settings, the database, keys
    .AddStores()               // Domain/Stores.cs: each aggregate's one writer
    .AddBackgroundWork()       // Services/BackgroundWork.cs: the signature writer, retention, erasure replay, data requests
    .AddMail()                 // Services/Mail: the outbox's sender and transport
    .AddWebhooks()             // Services/Webhooks
    .AddAbuseResistance()      // Services/Abuse: rate limits, proof of work, disposable domains
    .AddMetrics(builder.Configuration)
    .AddApi();                 // Features/Api.cs: endpoints, authentication, OpenAPI

var app = builder.Build();
// `dotnet Undersigned.dll backup FILE`: the same configuration, no web host started.
if (args is ["backup", var backupFile]) return await Backup.RunAsync(app.Services.GetRequiredService<Db>(), backupFile);
if (await app.PrepareAsync() is { } failed) return failed; // Services/StartUp.cs: checks, migrations, keys
app.UseApi().MapMetrics();
await app.RunAsync();
return 0;

public partial class Program;
