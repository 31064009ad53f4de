namespace Undersigned.Infrastructure;

/// <summary>The <c>Undersigned</c> configuration section (environment variables <c>Undersigned__*</c>).</summary>
public sealed class Settings
{
    public string? AdminKey { get; set; }
    public string? PublicBaseUrl { get; set; }
    public string? DataKey { get; set; }
    public string? KnownProxies { get; set; }

    /// <summary>Where generated secrets (admin key, data key) and the mail pickup folder live.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Where the numbered <c>*.sql</c> files are; they ship beside the binaries.</summary>
    public string MigrationsDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "migrations");

    public int VerificationGraceHours { get; set; } = 24;

    /// <summary>Production refuses an http <see cref="PublicBaseUrl"/> on a host that is not loopback unless this is set.</summary>
    public bool AllowHttpPublicBaseUrl { get; set; }

    /// <summary>Swagger UI in Production (the OpenAPI JSON is always served).</summary>
    public bool SwaggerUi { get; set; }

    /// <summary>
    /// The signature writer writes a batch's new signatures as a set, one statement per table for them all (on PostgreSQL
    /// one round trip each, measured at a quarter of the writer's time per signature). false: each alone, in a savepoint of
    /// its own, as before; the differential test keeps the two equal.
    /// </summary>
    public bool WriterSetPath { get; set; } = true;

    /// <summary>How long start-up waits for a database that does not answer yet (compose and systemd orderings).</summary>
    public int StartupDatabaseWaitSeconds { get; set; } = 30;

    /// <summary>How long a CDN or browser may keep a public letter, its count, its list and the widget; 0: revalidate every time.</summary>
    public int PublicCacheSeconds { get; set; } = 10;
}

/// <summary>
/// The <c>Undersigned:Organisation</c> section: who holds signers' details, named in the form's privacy notice, on the
/// rights page and in the delivery pack.
/// </summary>
public sealed class OrganisationSettings
{
    /// <summary>The organisation that runs the service and holds the data; unset: "the organisers of this letter".</summary>
    public string? Name { get; set; }
}
