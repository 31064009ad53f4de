# Base images pinned to full versions (README "Docker" shows how to pin their digests too). The build context is cut
# down by .dockerignore: no data/ (keys, the database, emails), no bin/ or obj/.
# Build: restore first so the package layer is cached while code changes.
FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
WORKDIR /src
COPY src/Undersigned/Undersigned.csproj src/Undersigned/
RUN dotnet restore src/Undersigned/Undersigned.csproj
COPY migrations/ migrations/
COPY src/ src/
RUN dotnet publish src/Undersigned/Undersigned.csproj -c Release -o /app --no-restore

# Run: the ASP.NET runtime only, as the image's unprivileged 'app' user. Noto fonts draw every script in the PDF pack and share card.
FROM mcr.microsoft.com/dotnet/aspnet:10.0.12
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl fonts-noto-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /data && chown app:app /data
# Undersigned__PublicBaseUrl is required (the public https:// address): docker run -e Undersigned__PublicBaseUrl=https://sign.example.org
ENV ASPNETCORE_URLS=http://+:8080 \
    ConnectionStrings__Undersigned="Data Source=/data/undersigned.db" \
    Undersigned__DataDirectory=/data
VOLUME /data
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD curl -fsS http://localhost:8080/readyz || exit 1
ENTRYPOINT ["dotnet", "Undersigned.dll"]
