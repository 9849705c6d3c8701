// create-next-app's layout, less its Google fonts (fetched at build time)
// and styles.
export const metadata = { title: "cph-jobs in Next.js" };

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
