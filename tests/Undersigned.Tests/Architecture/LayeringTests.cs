using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace Undersigned.Tests.Architecture;

/// <summary>
/// The arrows README's "Where things go" draws, checked on the compiled code (method bodies included, so global usings hide
/// nothing): each layer uses only those below it, Infrastructure ← Domain ← Services ← Features ← Program, and a
/// feature area uses no other area (what two areas share lives in the <c>Undersigned.Features</c> namespace itself).
/// </summary>
public sealed class LayeringTests
{
    static readonly System.Reflection.Assembly Service = typeof(Program).Assembly;
    static readonly string[] Layers = ["Undersigned.Infrastructure", "Undersigned.Domain", "Undersigned.Services", "Undersigned.Features"];

    public static TheoryData<string> LayersBelowTheTop => [.. Layers[..^1]];

    [Theory]
    [MemberData(nameof(LayersBelowTheTop))]
    public void A_layer_names_no_type_of_a_layer_above_it(string layer)
    {
        var above = Layers[(Array.IndexOf(Layers, layer) + 1)..];
        var result = Types.InAssembly(Service).That().ResideInNamespaceMatching($"^{Regex.Escape(layer)}(\\.|$)").ShouldNot()
            .HaveDependencyOnAny([.. above.Select(a => a + ".")]).GetResult();
        Assert.True(result.IsSuccessful, $"{layer} reaches up into {string.Join(", ", above)}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    public static TheoryData<string> FeatureAreas => [.. Areas()];

    [Theory]
    [MemberData(nameof(FeatureAreas))]
    public void A_feature_area_names_no_type_of_another(string area)
    {
        var others = Areas().Where(a => a != area).Select(a => a + ".").ToArray();
        var result = Types.InAssembly(Service).That().ResideInNamespaceMatching($"^{Regex.Escape(area)}(\\.|$)").ShouldNot().HaveDependencyOnAny(others).GetResult();
        Assert.True(result.IsSuccessful, $"{area} reaches into another feature area: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void The_check_sees_a_dependency_used_only_inside_a_method()
    {
        // A store the verify endpoint is given and calls: were the check blind, every layering rule would pass.
        var result = Types.InAssembly(Service).That().ResideInNamespace("Undersigned.Features.Signing.Verify").ShouldNot()
            .HaveDependencyOn("Undersigned.Domain.Signatures.SignaturesStore").GetResult();
        Assert.False(result.IsSuccessful);
    }

    [Fact]
    public void The_areas_are_found() => Assert.Contains("Undersigned.Features.Letters", Areas());

    static IEnumerable<string> Areas() => Service.GetTypes().Select(t => t.Namespace).OfType<string>()
        .Where(n => n.StartsWith("Undersigned.Features.")).Select(n => string.Join('.', n.Split('.')[..3])).Distinct().Order();
}
