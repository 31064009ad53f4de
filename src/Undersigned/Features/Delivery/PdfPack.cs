using SkiaSharp;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;
using static Undersigned.Infrastructure.TextLayout;

namespace Undersigned.Features.Delivery;

/// <summary>
/// The delivery pack as an A4 PDF with embedded fonts, laid out by <see cref="TextLayout"/>. Runs carry their source
/// text and clusters, so the PDF's text can be searched and copied.
/// </summary>
public static class PdfPack
{
    const float PageWidth = 595.28f, PageHeight = 841.89f, Margin = 56f;

    public static byte[] Render(DeliveryPack pack)
    {
        using var stream = new MemoryStream();
        using (var document = SKDocument.CreatePdf(stream, new SKDocumentPdfMetadata { Title = pack.Title, Creator = "Undersigned" }))
        {
            var page = new PageWriter(document);
            if (pack.Preview) page.Paragraph("PREVIEW: includes signatures still in review.", 10, Fonts.Regular, SKColors.DarkRed);
            page.Paragraph(pack.Title, 18, Fonts.Bold);
            page.Paragraph($"To: {pack.Target}", 11, Fonts.Regular);
            page.Paragraph($"Date: {pack.LocalDate}", 11, Fonts.Regular);
            page.Space(8);
            foreach (var paragraph in LetterHtml.PlainText(pack.Body).ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                page.Paragraph(paragraph, 11, Fonts.Regular);
            page.Space(8);
            page.Paragraph("Signatories", 14, Fonts.Bold);
            foreach (var (heading, signatories) in new[] { ("Organisations", pack.Organisations), ("Individuals", pack.Individuals) })
            {
                if (signatories.Count == 0) continue;
                page.Paragraph(heading, 12, Fonts.Bold);
                foreach (var s in signatories) page.Paragraph(s.Display + DeliveryPack.Marks(s), 11, Fonts.Regular, indent: 8);
            }
            if (pack.NotNamed > 0)
                page.Paragraph(pack.NotNamed == 1 ? "and 1 other who chose not to be named." : $"and {pack.NotNamed} others who chose not to be named.", 11, Fonts.Regular);
            page.Space(12);
            page.Paragraph(pack.CountsLine, 8, Fonts.Regular, SKColors.DimGray);
            page.Paragraph($"Text version {pack.TextVersion}, SHA-256 {pack.Sha256}.", 8, Fonts.Regular, SKColors.DimGray);
            foreach (var line in pack.ExtraLines) page.Paragraph(line, 8, Fonts.Regular, SKColors.DimGray);
            if (pack.AnyEarlierWording) page.Paragraph(PackFormats.EarlierWording, 8, Fonts.Regular, SKColors.DimGray);
            page.Finish();
            document.Close();
        }
        return stream.ToArray();
    }


    sealed class PageWriter(SKDocument document)
    {
        SKCanvas? canvas;
        float y;

        public void Space(float points) => y += points;

        public void Paragraph(string text, float size, Face[] faces, SKColor? color = null, float indent = 0)
        {
            using var paint = new SKPaint { Color = color ?? SKColors.Black, IsAntialias = true };
            foreach (var line in Wrap(text, size, faces, PageWidth - 2 * Margin - indent))
            {
                if (canvas is null || y + size * 1.5f > PageHeight - Margin) NewPage();
                y += size * 1.35f;
                line.Draw(canvas!, line.RightToLeft ? PageWidth - Margin - line.Width : Margin + indent, y, paint);
            }
            y += size * 0.35f;
        }

        void NewPage()
        {
            if (canvas is not null) document.EndPage();
            canvas = document.BeginPage(PageWidth, PageHeight);
            y = Margin;
        }

        public void Finish()
        {
            if (canvas is null) NewPage();
            document.EndPage();
        }
    }
}
