using System.Text.Json;
using FastEndpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.OpenApi;
using OpenTelemetry.Metrics;
using Undersigned.Services;
using Undersigned.Services.Abuse;
using Undersigned.Services.Mail;
using Undersigned.Services.Privacy;
using Undersigned.Services.Retention;
using Undersigned.Services.Webhooks;

// Configuration is read once: watching the content root for appsettings changes would also wake on every write to
// the database, its WAL and the mail pickup folder beneath it (a file-system event per signature, measured at more
// CPU than the whole HTTP pipeline under load).
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
// Defaults that hold however the service is started: a service manager may start it from a folder without
// appsettings.json, and a line per request would bury what matters. appsettings.json and the environment still win.
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    },
});
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = Limits.MaxRequestBody;
});
if (builder.Configuration["ASPNETCORE_URLS"] is null && builder.Configuration["urls"] is null)
    builder.WebHost.UseUrls("http://localhost:5080");

var services = builder.Services;
// Settings are read from configuration when first needed, so test hosts and environment variables both apply.
void AddSettings<T>(string section) where T : class, new()
    => services.AddSingleton(provider => provider.GetRequiredService<IConfiguration>().GetSection(section).Get<T>() ?? new T());
AddSettings<Settings>("Undersigned");
AddSettings<SmtpSettings>("Undersigned:Smtp");
AddSettings<MailSettings>("Undersigned:Mail");
AddSettings<RateLimitSettings>("Undersigned:RateLimits");
AddSettings<WebhookSettings>("Undersigned:Webhooks");
services.AddSingleton(provider => new Db(provider.GetRequiredService<IConfiguration>().GetConnectionString("Undersigned")
                                         ?? "Data Source=data/undersigned.db", provider.GetRequiredService<ILogger<Db>>()));
services.AddSingleton(TimeProvider.System);
services.AddSingleton<Migrator>();
services.AddSingleton(provider => ServiceKeys.Load(provider.GetRequiredService<Settings>(),
    provider.GetRequiredService<IHostEnvironment>(), provider.GetRequiredService<Db>().Engine, provider.GetRequiredService<ILogger<ServiceKeys>>()));
// Stores: each the only reader and writer of its aggregate's tables.
services.AddSingleton<ChangeNotices>();
services.AddSingleton<LettersStore>();
services.AddSingleton<LetterKeys>();
services.AddSingleton<SignaturesStore>();
services.AddSingleton<OutboxStore>();
services.AddSingleton<ApiKeysStore>();
services.AddSingleton<AuditStore>();
services.AddSingleton<PauseSwitch>();
services.AddSingleton<MilestoneNotices>();
services.AddSingleton<PartnersStore>();
services.AddSingleton<LetterUpdates>();
services.AddSingleton<WebhooksStore>();
services.AddSingleton<ServiceStateStore>();
services.AddSingleton<ErasureRecord>();
services.AddSingleton<ErasureReplay>();
services.AddSingleton<Undersigned.Features.Letters.LetterReader>();
services.AddSingleton<PublicUrls>();
services.AddSingleton<IMailTransport>(provider =>
{
    var smtp = provider.GetRequiredService<SmtpSettings>();
    return smtp.Host is { Length: > 0 }
        ? new SmtpTransport(smtp, smtp.GreetingName(provider.GetRequiredService<Settings>().PublicBaseUrl, provider.GetRequiredService<MailSettings>().From))
        : new PickupDirectoryTransport(provider.GetRequiredService<MailSettings>().PickupDirectory
                                       ?? Path.Combine(provider.GetRequiredService<Settings>().DataDirectory, "mail"));
});
services.AddSingleton<OutboxSignal>();
services.AddResponseCompression(o =>
{
    o.EnableForHttps = true;
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
    o.MimeTypes = ["application/json", "text/csv"];
});
services.AddRateLimiter(_ => { });
services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<RateLimitSettings, TimeProvider>(RateLimits.Configure);
services.AddSingleton<BurstDetector>();
services.AddSingleton<PartnerEntryLimit>();
services.AddSingleton(provider => new DisposableDomains(provider.GetRequiredService<IConfiguration>()["Undersigned:DisposableDomainsFile"]
                                                        ?? Path.Combine(AppContext.BaseDirectory, "disposable-domains.txt")));
services.AddSingleton<ProofOfWork>();
services.AddSingleton<ChallengePolicy>();
services.AddSingleton<Loops>();
services.AddSingleton<Undersigned.Features.Health.Readiness>();
services.AddSingleton<ServiceMetrics>();
services.AddSingleton<ServiceGauges>();
// Off (Undersigned__Metrics__Enabled=false): nothing listens to the instruments, and /metrics is not served.
var metricsEnabled = builder.Configuration.GetValue("Undersigned:Metrics:Enabled", true);
if (metricsEnabled)
    services.AddOpenTelemetry().WithMetrics(metrics =>
    {
        // The service's own instruments, ASP.NET Core's HTTP server metrics (routes as templates, never a slug) and Npgsql's.
        metrics.AddMeter(ServiceMetrics.MeterName, "Npgsql").AddAspNetCoreInstrumentation().AddPrometheusExporter();
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) metrics.AddOtlpExporter();
    });
services.AddSingleton<GroupCommit>();
services.AddHostedService(provider => provider.GetRequiredService<GroupCommit>());
services.AddHostedService<OutboxSender>();
services.AddSingleton<HostResolver>();
services.AddSingleton<WebhookGuard>();
services.AddSingleton<WebhookPayloads>();
services.AddHostedService<WebhookSender>();
services.AddHostedService<RetentionService>();
services.AddHostedService<ChangeListener>();
services.AddSingleton<DataRequests>();
services.AddHostedService(provider => provider.GetRequiredService<DataRequests>());
services.AddSingleton<AdminKeyBootstrap>();
services.AddAuthentication(ApiKey.Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKey.Scheme, null);
services.AddAuthorization();
services.AddFastEndpoints(o => o.IncludeAbstractValidators = true);
services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
services.AddEndpointsApiExplorer();
services.AddSwaggerGen(o =>
{
    o.SwaggerDoc("v1", new OpenApiInfo
    {
        Title = "Undersigned",
        Version = "v1",
        Description = "Open letters and their co-signatories: staff draft and publish letters, partners and people sign and confirm by email.",
    });
    o.SupportNonNullableReferenceTypes();
    o.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, "Undersigned.xml"));
    o.CustomSchemaIds(OpenApi.SchemaId);
    o.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
    {
        Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key: `Authorization: Bearer <key>`.",
    });
    o.OperationFilter<FastEndpointsOperationFilter>();
    o.DocumentFilter<DocumentFilter>();
});

// Validation messages name fields as clients spell them.
FluentValidation.ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
    member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);

var app = builder.Build();
// `dotnet Undersigned.dll backup FILE`: the same configuration, no web host started.
if (args is ["backup", var backupFile]) return await Backup.RunAsync(app.Services.GetRequiredService<Db>(), backupFile);
var log = app.Services.GetRequiredService<ILogger<Program>>();
LetterHtml.Log = log;
var settings = app.Services.GetRequiredService<Settings>();
log.LogInformation("Undersigned starting in {Environment}", app.Environment.EnvironmentName);
try
{
    Startup.CheckConfiguration(app, settings, app.Services.GetRequiredService<SmtpSettings>(), app.Services.GetRequiredService<MailSettings>());
    await app.Services.GetRequiredService<Migrator>().ApplyAsync();
    await app.Services.GetRequiredService<AdminKeyBootstrap>().EnsureAsync();
    // A restored backup forgets again whoever withdrew or was purged since it was taken.
    await app.Services.GetRequiredService<ErasureReplay>().RunAsync();
    // Create or read the data key now, not on the first signature, and refuse one the database was not encrypted with.
    await app.Services.GetRequiredService<ServiceStateStore>().CheckServiceKeyAsync(app.Services.GetRequiredService<ServiceKeys>().Fingerprint);
}
catch (StartupException e)
{
    // One line naming the setting, and exit code 1: no stack trace for an operator to read past.
    log.LogCritical("{Problem}", e.Message);
    await Console.Error.WriteLineAsync(e.Message);
    if (app.Environment.IsDevelopment()) throw; // a developer's debugger (and the tests' host) gets the exception
    return 1;
}

// With no known proxies the middleware would trust every X-Forwarded-For, so it runs only when some are configured.
if (!string.IsNullOrWhiteSpace(settings.KnownProxies)) app.UseForwardedHeaders(Startup.ForwardedHeaders(settings));
app.UseMiddleware<SecurityHeaders>();
app.UseMiddleware<Undersigned.Features.Widget.Cors>();
app.UseMiddleware<ErrorMiddleware>();
// Public reads only: they carry no secret, so compressing them beside attacker-chosen text (names) leaks nothing
// (BREACH). Staff answers, with addresses and session tokens, and every page with a nonce go uncompressed.
app.UseWhen(http => HttpMethods.IsGet(http.Request.Method) && http.Request.Path.StartsWithSegments("/api/public"),
    branch => branch.UseResponseCompression());
app.UseStatusCodePages(context => context.HttpContext.Response.HasStarted || context.HttpContext.Response.ContentLength > 0
    ? Task.CompletedTask
    : Problems.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, "No such route, or not with this method."));
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseFastEndpoints(c =>
{
    Json.Configure(c.Serializer.Options);
    c.Errors.ContentType = "application/problem+json";
    c.Errors.UseProblemDetails(p =>
    {
        p.TypeTransformer = problem => Problems.TypeFor(problem.Status);
        p.TitleTransformer = problem => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(problem.Status);
        p.DetailTransformer = problem => problem.Detail ?? "Some fields are not valid.";
    });
    // Parser messages name .NET types and internals; say which field is wrong and how, nothing more. Every field that
    // fails to parse is reported, together with what validation finds.
    c.Binding.JsonExceptionTransformer = JsonBody.Failure;
    c.Serializer.RequestDeserializer = JsonBody.DeserializeAsync;
    c.Endpoints.Configurator = endpoint => endpoint.PreProcessor<JsonBody.ParseFailures>(Order.Before);
});
// Prometheus text for a key with the metrics role (admin keys are not for monitoring systems).
if (metricsEnabled) app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(policy => policy.RequireRole(Role.Metrics));
app.Services.GetRequiredService<ServiceGauges>(); // registers the gauges
app.UseSwagger();
if (!app.Environment.IsProduction() || settings.SwaggerUi) app.UseSwaggerUI();

await app.RunAsync();
return 0;

public partial class Program;
