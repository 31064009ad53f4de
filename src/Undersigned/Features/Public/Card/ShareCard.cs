using SkiaSharp;
using Undersigned.Infrastructure;
using static Undersigned.Infrastructure.TextLayout;

namespace Undersigned.Features.Public.Card;

/// <summary>The 1200×630 image link previews show: the title, whom the letter is to, and how many signed.</summary>
public static class ShareCard
{
    const int Width = 1200, Height = 630, Margin = 72;
    static readonly SKColor Accent = new(0x0b, 0x4f, 0x8a), Ink = new(0x1a, 0x1a, 0x1a), Muted = new(0x4a, 0x4a, 0x4a);

    public static byte[] Render(string title, string to, string count)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using (var band = new SKPaint { Color = Accent }) canvas.DrawRect(0, 0, 24, Height, band);

        // The largest size at which the title fits three lines; a very long one is cut at a word with an ellipsis.
        var (titleLines, titleSize) = Fit(title, [68f, 58f, 50f, 44f], Fonts.Bold, maxLines: 3);
        var y = Margin + 8f;
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        foreach (var line in titleLines) Draw(canvas, line, y += titleSize * 1.2f, ink);

        y += 36;
        using var muted = new SKPaint { Color = Muted, IsAntialias = true };
        foreach (var line in Fit(to, [34f], Fonts.Regular, maxLines: 2).Lines) Draw(canvas, line, y += 34 * 1.3f, muted);

        using var accent = new SKPaint { Color = Accent, IsAntialias = true };
        Draw(canvas, Layout(count, 56, Fonts.Bold), Height - Margin, accent);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    static void Draw(SKCanvas canvas, Line line, float baseline, SKPaint paint)
        => line.Draw(canvas, line.RightToLeft ? Width - Margin - line.Width : Margin, baseline, paint);

    static (List<Line> Lines, float Size) Fit(string text, float[] sizes, Face[] faces, int maxLines)
    {
        const float width = Width - 2 * Margin;
        foreach (var size in sizes)
        {
            var lines = Wrap(text, size, faces, width).ToList();
            if (lines.Count <= maxLines) return (lines, size);
        }
        var smallest = sizes[^1];
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        while (words.Count > 1)
        {
            words.RemoveAt(words.Count - 1);
            var lines = Wrap(string.Join(' ', words) + "…", smallest, faces, width).ToList();
            if (lines.Count <= maxLines) return (lines, smallest);
        }
        return (Wrap(text, smallest, faces, width).Take(maxLines).ToList(), smallest);
    }
}
