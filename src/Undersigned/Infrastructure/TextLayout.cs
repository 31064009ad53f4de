using System.Globalization;
using System.Text;
using HarfBuzzSharp;
using SkiaSharp;

namespace Undersigned.Infrastructure;

/// <summary>
/// Lines of text for Skia to draw, in any script: shaped by HarfBuzz (joined Arabic and Persian, Ge'ez, stacked
/// Vietnamese marks), each character in the first Noto font that has it, and a line whose first strong letter is
/// right-to-left right-aligned with its runs reversed (simple bidi, enough for names and titles). The delivery PDF and
/// the share card draw with it.
/// </summary>
public static class TextLayout
{
    public sealed record Line(IReadOnlyList<ShapedRun> Runs, float Width, bool RightToLeft)
    {
        /// <summary>Draws the line with its start at <paramref name="x"/> and its baseline at <paramref name="y"/>.</summary>
        public void Draw(SKCanvas canvas, float x, float y, SKPaint paint)
        {
            foreach (var run in Runs)
            {
                using var blob = run.ToBlob();
                canvas.DrawText(blob, x, y, paint);
                x += run.Width;
            }
        }
    }

    /// <summary>Greedy wrapping at spaces, measuring each candidate line as shaped.</summary>
    public static IEnumerable<Line> Wrap(string text, float size, Face[] faces, float width)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var current = "";
        foreach (var word in words)
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && Layout(candidate, size, faces).Width > width)
            {
                yield return Layout(current, size, faces);
                current = word;
            }
            else current = candidate;
        }
        if (current.Length > 0) yield return Layout(current, size, faces);
    }

    public static Line Layout(string text, float size, Face[] faces)
    {
        var runs = Segment(text, faces).Select(s => ShapedRun.Shape(s.Text, s.Face, size)).ToList();
        var rightToLeft = FirstStrongIsRightToLeft(text);
        if (rightToLeft) runs.Reverse();
        return new Line(runs, runs.Sum(r => r.Width), rightToLeft);
    }

    /// <summary>Splits text into runs drawn in one font: marks, joiners and spaces stay with the run they are in.</summary>
    static IEnumerable<(string Text, Face Face)> Segment(string text, Face[] faces)
    {
        var run = new StringBuilder();
        Face? face = null;
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var sticks = face is not null && (Rune.IsWhiteSpace(rune) || category is UnicodeCategory.NonSpacingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format);
            var wanted = sticks ? face! : faces.FirstOrDefault(f => f.Has(rune)) ?? faces[0];
            if (face is not null && wanted != face)
            {
                yield return (run.ToString(), face);
                run.Clear();
            }
            face = wanted;
            run.Append(rune.ToString());
        }
        if (run.Length > 0) yield return (run.ToString(), face!);
    }

    static bool FirstStrongIsRightToLeft(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is >= 0x0590 and <= 0x08FF or >= 0xFB1D and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF) return true;
            if (Rune.IsLetter(rune)) return false;
        }
        return false;
    }

    public sealed record ShapedRun(Face Face, float Size, ushort[] Glyphs, SKPoint[] Positions, uint[] Clusters, byte[] Utf8, float Width)
    {
        public static ShapedRun Shape(string text, Face face, float size)
        {
            using var buffer = new HarfBuzzSharp.Buffer();
            buffer.AddUtf8(text);
            buffer.GuessSegmentProperties();
            face.Shaper.Shape(buffer);
            var infos = buffer.GlyphInfos;
            var positions = buffer.GlyphPositions;
            var scale = size / face.UnitsPerEm;
            var glyphs = new ushort[infos.Length];
            var points = new SKPoint[infos.Length];
            var clusters = new uint[infos.Length];
            float x = 0;
            for (var i = 0; i < infos.Length; i++)
            {
                glyphs[i] = (ushort)infos[i].Codepoint;
                clusters[i] = infos[i].Cluster;
                points[i] = new SKPoint(x + positions[i].XOffset * scale, -positions[i].YOffset * scale);
                x += positions[i].XAdvance * scale;
            }
            return new ShapedRun(face, size, glyphs, points, clusters, Encoding.UTF8.GetBytes(text), x);
        }

        public SKTextBlob ToBlob()
        {
            using var font = new SKFont(Face.Typeface, Size);
            using var builder = new SKTextBlobBuilder();
            var run = builder.AllocatePositionedTextRun(font, Glyphs.Length, Utf8.Length, null);
            run.SetGlyphs(Glyphs);
            run.SetPositions(Positions);
            run.SetText(Utf8);
            run.SetClusters(Clusters);
            return builder.Build()!;
        }
    }

    /// <summary>A font file loaded once for both drawing (Skia) and shaping (HarfBuzz).</summary>
    public sealed class Face
    {
        public required SKTypeface Typeface { get; init; }
        public required HarfBuzzSharp.Font Shaper { get; init; }
        public required int UnitsPerEm { get; init; }
        readonly Dictionary<int, bool> has = new();
        readonly Lock gate = new();

        public bool Has(Rune rune)
        {
            lock (gate)
            {
                if (!has.TryGetValue(rune.Value, out var found))
                    has[rune.Value] = found = Typeface.GetGlyph(rune.Value) != 0;
                return found;
            }
        }

        public static Face? Load(string path, int index = 0)
        {
            if (!File.Exists(path)) return null;
            var typeface = SKTypeface.FromFile(path, index);
            if (typeface is null) return null;
            using var blob = HarfBuzzSharp.Blob.FromFile(path);
            var face = new HarfBuzzSharp.Face(blob, index);
            var shaper = new HarfBuzzSharp.Font(face);
            shaper.SetScale(face.UnitsPerEm, face.UnitsPerEm);
            return new Face { Typeface = typeface, Shaper = shaper, UnitsPerEm = face.UnitsPerEm };
        }
    }

    /// <summary>Noto fonts by Debian path (fonts-noto-core, fonts-noto-cjk), tried in order for each character.</summary>
    public static class Fonts
    {
        static readonly string Truetype = "/usr/share/fonts/truetype/noto", Opentype = "/usr/share/fonts/opentype/noto";
        static readonly Face[] Fallbacks =
            new[] { Face.Load($"{Truetype}/NotoNaskhArabic-Regular.ttf"), Face.Load($"{Truetype}/NotoSansEthiopic-Regular.ttf"),
                    Face.Load($"{Opentype}/NotoSansCJK-Regular.ttc", 2) }.OfType<Face>().ToArray();

        public static readonly Face[] Regular = [.. new[] { Face.Load($"{Truetype}/NotoSans-Regular.ttf") }.OfType<Face>(), .. Fallbacks];
        public static readonly Face[] Bold = [.. new[] { Face.Load($"{Truetype}/NotoSans-Bold.ttf") }.OfType<Face>(), .. Regular];

        /// <summary>Without Noto Sans there is nothing to draw Latin text with.</summary>
        public static bool Available => Regular.Length > Fallbacks.Length;
    }
}
