using System.Text.Json;
using FastEndpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.OpenApi;
using Undersigned.Infrastructure;

namespace Undersigned.Features;

/// <summary>The HTTP API: its endpoints, authentication, JSON, OpenAPI document and the request pipeline in front of them.</summary>
public static class Api
{
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddSingleton<Letters.LetterReader>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<Health.Readiness>();
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
            o.MimeTypes = ["application/json", "text/csv"];
        });
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
        return services;
    }

    /// <summary>The request pipeline, outermost first, and the endpoints.</summary>
    public static WebApplication UseApi(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<Settings>();
        // With no known proxies the middleware would trust every X-Forwarded-For, so it runs only when some are configured.
        if (!string.IsNullOrWhiteSpace(settings.KnownProxies)) app.UseForwardedHeaders(ClientAddresses.ForwardedHeaders(settings));
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<Widget.Cors>();
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
        app.UseSwagger();
        if (!app.Environment.IsProduction() || settings.SwaggerUi) app.UseSwaggerUI();
        return app;
    }
}
